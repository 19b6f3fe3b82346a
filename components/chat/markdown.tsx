"use client";
import { memo, useState, type ReactNode } from "react";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";
import rehypeHighlight from "rehype-highlight";
import rehypeKatex from "rehype-katex";

/**
 * Model output as Markdown: GFM, highlighted code with a copy button, maths with KaTeX.
 * Raw HTML in the text is never rendered (react-markdown escapes it without rehype-raw),
 * and links cannot be javascript: URLs (react-markdown's default urlTransform).
 */
export const Markdown = memo(function Markdown({ text, onCopy }: { text: string; onCopy?: () => void }) {
  return (
    <div data-testid="markdown" className="prose-chat text-sm leading-relaxed">
      <ReactMarkdown
        remarkPlugins={[remarkGfm, remarkMath]}
        rehypePlugins={[[rehypeHighlight, { detect: true, ignoreMissing: true }], rehypeKatex]}
        components={{
          pre: ({ children }) => <CodeBlock onCopy={onCopy}>{children}</CodeBlock>,
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="underline">
              {children}
            </a>
          ),
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
});

function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (node && typeof node === "object" && "props" in node) return textOf((node.props as { children?: ReactNode }).children);
  return "";
}

function CodeBlock({ children, onCopy }: { children: ReactNode; onCopy?: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="group relative my-2">
      <button
        type="button"
        data-testid="copy-code"
        onClick={async () => {
          await navigator.clipboard?.writeText(textOf(children)).catch(() => {});
          setCopied(true);
          onCopy?.();
          setTimeout(() => setCopied(false), 1500);
        }}
        className="absolute right-2 top-2 rounded bg-zinc-700 px-2 py-0.5 text-xs text-zinc-100 opacity-80 hover:opacity-100"
      >
        {copied ? "Copied" : "Copy"}
      </button>
      <pre className="overflow-x-auto rounded-md bg-zinc-900 p-3 text-xs text-zinc-100">{children}</pre>
    </div>
  );
}
