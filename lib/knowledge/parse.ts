/**
 * Upload checks and text extraction. `checkUpload` runs at upload time on the raw bytes and
 * refuses what can never become knowledge (empty, too large, archives, binaries, invalid
 * UTF-8), each with a message that says why; `extractText` runs in the ingestion job and
 * turns an accepted file into plain text (PDF through unpdf, HTML without tags or scripts).
 * Pure apart from the PDF library; no database, no model.
 */
import { convert, type FormatCallback, type HtmlToTextOptions } from "html-to-text";

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export type DocKind = "markdown" | "text" | "code" | "pdf" | "html" | "json" | "csv";

const CODE_EXT = new Set([
  "ts", "tsx", "js", "jsx", "mjs", "cjs", "py", "rb", "go", "rs", "java", "kt", "kts", "scala", "c", "h", "cc", "cpp", "cxx", "hpp",
  "cs", "fs", "swift", "m", "php", "pl", "lua", "r", "jl", "hs", "ex", "exs", "erl", "clj", "dart", "sh", "bash", "zsh", "ps1",
  "sql", "yaml", "yml", "toml", "ini", "cfg", "conf", "xml", "css", "scss", "less", "vue", "svelte", "gradle", "dockerfile", "makefile", "proto", "graphql",
]);
const TEXT_EXT = new Set(["txt", "text", "log", "rst", "adoc", "org", "tex"]);
const ARCHIVE_EXT = new Set(["zip", "gz", "tgz", "tar", "bz2", "xz", "7z", "rar", "jar", "war", "zst", "lz", "lzma", "cab", "iso", "dmg", "apk", "whl", "nupkg"]);

export interface Accepted {
  ok: true;
  kind: DocKind;
  mimeType: string;
  /** Programming language (code files), used to fence the text. */
  language: string | null;
}
export interface Refused {
  ok: false;
  reason: string;
}

function extOf(filename: string): string {
  const base = filename.toLowerCase().split(/[\\/]/).pop() ?? "";
  if (base === "dockerfile" || base === "makefile") return base;
  const i = base.lastIndexOf(".");
  return i > 0 ? base.slice(i + 1) : "";
}

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);

/** Magic numbers of archive and compressed formats. */
function archiveMagic(b: Uint8Array): string | null {
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) return "a ZIP archive";
  if (startsWith(b, [0x1f, 0x8b])) return "a gzip archive";
  if (startsWith(b, [0x42, 0x5a, 0x68])) return "a bzip2 archive";
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "an xz archive";
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return "a 7-Zip archive";
  if (startsWith(b, [0x52, 0x61, 0x72, 0x21])) return "a RAR archive";
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return "a zstd archive";
  if (b.length > 262 && startsWith(b, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return "a tar archive";
  return null;
}

const isPdf = (b: Uint8Array) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]); // %PDF-

/** Decides whether an uploaded file can be ingested, and as what. */
export function checkUpload(file: { name: string; bytes: Uint8Array; type?: string }): Accepted | Refused {
  const { bytes } = file;
  const ext = extOf(file.name);
  if (bytes.length === 0) return { ok: false, reason: "The file is empty." };
  if (bytes.length > MAX_UPLOAD_BYTES)
    return { ok: false, reason: `The file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.` };
  const archive = archiveMagic(bytes);
  if (archive || ARCHIVE_EXT.has(ext))
    return { ok: false, reason: `This is ${archive ?? `an archive (.${ext})`}; unpack it and upload the files inside.` };
  if (isPdf(bytes)) return { ok: true, kind: "pdf", mimeType: "application/pdf", language: null };
  if (ext === "pdf") return { ok: false, reason: "The file is named .pdf but is not a PDF (no %PDF header)." };

  // Text formats from here on: no NUL bytes, valid UTF-8.
  const probe = bytes.subarray(0, 64 * 1024);
  if (probe.includes(0)) return { ok: false, reason: "This is a binary file (it contains NUL bytes); upload text, Markdown, code, PDF, HTML, JSON or CSV." };
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: "The file is not valid UTF-8 text; save it as UTF-8 and upload it again." };
  }
  if (ext === "md" || ext === "markdown" || ext === "mdx") return { ok: true, kind: "markdown", mimeType: "text/markdown", language: null };
  if (ext === "html" || ext === "htm" || ext === "xhtml") return { ok: true, kind: "html", mimeType: "text/html", language: null };
  if (ext === "json" || ext === "jsonl" || ext === "ndjson") return { ok: true, kind: "json", mimeType: "application/json", language: null };
  if (ext === "csv" || ext === "tsv") return { ok: true, kind: "csv", mimeType: "text/csv", language: null };
  if (CODE_EXT.has(ext)) return { ok: true, kind: "code", mimeType: "text/plain", language: ext };
  if (TEXT_EXT.has(ext) || ext === "") return { ok: true, kind: "text", mimeType: "text/plain", language: null };
  // Unknown extension but valid UTF-8 text without NULs: take it as text, say so in the kind.
  return { ok: true, kind: "text", mimeType: file.type && file.type.startsWith("text/") ? file.type : "text/plain", language: null };
}

/** Headings stay Markdown headings, so chunking keeps the document's structure. */
const markdownHeading: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${"#".repeat(Number(elem.name?.[1] ?? 1))} `);
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

/** <pre> becomes a fenced code block with its whitespace kept. */
const fencedCode: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral("```");
  builder.addLineBreak();
  builder.openBlock({ isPre: true, leadingLineBreaks: 0 });
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 1 });
  builder.addLiteral("```");
  builder.closeBlock({ trailingLineBreaks: 2 });
};

const HTML_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  formatters: { markdownHeading, fencedCode },
  selectors: [
    ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, format: "markdownHeading" })),
    { selector: "pre", format: "fencedCode" },
    { selector: "a", options: { ignoreHref: true } },
    { selector: "img", format: "skip" },
    { selector: "table", format: "dataTable" },
  ],
};

/**
 * HTML to plain text with html-to-text (a real parser, every named entity decoded): scripts,
 * styles, comments and every tag go; blocks become line breaks, headings Markdown headings,
 * <pre> a fenced code block. Angle brackets that decoded entities produce are neutralised, so
 * nothing of the markup survives to reach a prompt or a page.
 */
export function htmlToText(html: string): string {
  return convert(html, HTML_OPTIONS)
    .replace(/</g, "‹")
    .replace(/>/g, "›")
    .split("\n")
    .map((l) => l.replace(/[ \t\f\v]+$/g, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function jsonToText(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw; // JSONL or slightly broken JSON: still useful as text
  }
}

export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

/** The plain text of an accepted file, ready for chunking. */
export async function extractText(file: { kind: DocKind; bytes: Uint8Array; language?: string | null; filename: string }): Promise<string> {
  let text: string;
  if (file.kind === "pdf") {
    try {
      const { extractText: pdfText, getDocumentProxy } = await import("unpdf");
      const pdf = await getDocumentProxy(new Uint8Array(file.bytes));
      const { text: pages } = await pdfText(pdf, { mergePages: false });
      text = pages.map((p) => p.trim()).filter(Boolean).join("\n\n");
    } catch (e) {
      throw new ParseError(`The PDF could not be read: ${e instanceof Error ? e.message : String(e)}.`);
    }
    if (!text.trim()) throw new ParseError("The PDF has no extractable text (a scanned image?); OCR it first.");
  } else {
    const raw = new TextDecoder("utf-8").decode(file.bytes).replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
    if (file.kind === "html") text = htmlToText(raw);
    else if (file.kind === "json") text = jsonToText(raw);
    else if (file.kind === "code") text = "```" + (file.language ?? "") + "\n" + raw.replace(/\n+$/, "") + "\n```";
    else text = raw;
  }
  // Control characters other than tab and newline never help a prompt.
  text = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "");
  if (!text.trim()) throw new ParseError("The file has no text left after extraction.");
  return text;
}

/** A readable title from the file name. */
export function titleFromFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? filename;
  return (base.trim() || "Untitled").slice(0, 300);
}
