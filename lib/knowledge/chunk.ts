/**
 * Splits a document's text into chunks for retrieval. Markdown headings start a new section
 * (a chunk never spans two sections, and carries its heading path as its topic); fenced code
 * blocks stay whole; consecutive chunks of one section overlap by the tail of the previous
 * prose. Pure.
 */

export interface Chunk {
  index: number;
  /** "Document title › Heading › Subheading". */
  topic: string;
  content: string;
}

export interface ChunkOptions {
  /** Target size of a chunk in characters (≈ 4 characters a token). */
  maxChars?: number;
  /** How much of the previous chunk's prose starts the next one in the same section. */
  overlapChars?: number;
  /** A code block longer than this is split at line boundaries (each piece re-fenced). */
  maxCodeChars?: number;
}

interface Block {
  text: string;
  code: boolean;
}

interface Section {
  path: string[];
  blocks: Block[];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Sections (by heading) made of blocks (paragraphs and whole fenced code blocks). */
export function sectionsOf(text: string): Section[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const sections: Section[] = [{ path: [], blocks: [] }];
  const stack: { level: number; title: string }[] = [];
  let para: string[] = [];
  const cur = () => sections[sections.length - 1];
  const flush = () => {
    const t = para.join("\n").trim();
    if (t) cur().blocks.push({ text: t, code: false });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1];
      const body = [line];
      let j = i + 1;
      for (; j < lines.length; j++) {
        body.push(lines[j]);
        const t = lines[j].trim();
        if (t.length >= marker.length && t.split("").every((c) => c === marker[0])) break;
      }
      if (j >= lines.length) body.push(marker); // an unclosed fence closes at the end
      cur().blocks.push({ text: body.join("\n"), code: true });
      i = j;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1].length;
      while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
      stack.push({ level, title: heading[2].trim() });
      sections.push({ path: stack.map((s) => s.title), blocks: [] });
      continue;
    }
    if (line.trim() === "") flush();
    else para.push(line);
  }
  flush();
  return sections.filter((s) => s.blocks.length > 0 || s.path.length > 0);
}

/** Splits prose longer than max at sentence ends (or words, or hard). */
function splitProse(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const sentences = text.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [text];
  const out: string[] = [];
  let cur = "";
  for (const s of sentences) {
    if (cur && cur.length + s.length > max) {
      out.push(cur.trim());
      cur = "";
    }
    if (s.length > max) {
      for (let i = 0; i < s.length; i += max) out.push(s.slice(i, i + max).trim());
    } else cur += s;
  }
  if (cur.trim()) out.push(cur.trim());
  return out.filter(Boolean);
}

/** Splits an over-long code block at line boundaries, each piece fenced again. */
function splitCode(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const lines = text.split("\n");
  const open = lines[0];
  const close = lines[lines.length - 1];
  const body = lines.slice(1, -1);
  const out: string[] = [];
  let cur: string[] = [];
  let size = 0;
  for (const l of body) {
    if (cur.length && size + l.length + 1 > max) {
      out.push([open, ...cur, close].join("\n"));
      cur = [];
      size = 0;
    }
    cur.push(l);
    size += l.length + 1;
  }
  if (cur.length) out.push([open, ...cur, close].join("\n"));
  return out;
}

function tail(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(text.length - chars);
  const space = cut.indexOf(" ");
  return (space >= 0 && space < chars / 2 ? cut.slice(space + 1) : cut).trim();
}

export function chunkText(text: string, title: string, opts: ChunkOptions = {}): Chunk[] {
  const max = opts.maxChars ?? 1200;
  const overlap = Math.min(opts.overlapChars ?? 150, Math.floor(max / 3));
  const maxCode = opts.maxCodeChars ?? Math.max(max * 4, 4000);
  const chunks: Chunk[] = [];
  for (const section of sectionsOf(text)) {
    const topic = [title, ...section.path].filter(Boolean).join(" › ");
    const pieces: Block[] = [];
    for (const b of section.blocks) {
      if (b.code) for (const t of splitCode(b.text, maxCode)) pieces.push({ text: t, code: true });
      else for (const t of splitProse(b.text, max)) pieces.push({ text: t, code: false });
    }
    if (pieces.length === 0) continue;
    let cur: Block[] = [];
    let size = 0;
    const emit = () => {
      if (!cur.some((b) => b.text.trim())) return;
      chunks.push({ index: chunks.length, topic, content: cur.map((b) => b.text).join("\n\n") });
    };
    for (const p of pieces) {
      if (cur.length && size + p.text.length + 2 > max) {
        emit();
        const last = cur[cur.length - 1];
        // Overlap with the prose just before; a code block is never cut for overlap.
        cur = !last.code && overlap > 0 && !p.code ? [{ text: `… ${tail(last.text, overlap)}`, code: false }] : [];
        size = cur.reduce((n, b) => n + b.text.length + 2, 0);
      }
      cur.push(p);
      size += p.text.length + 2;
    }
    emit();
  }
  return chunks;
}
