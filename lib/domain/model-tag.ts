/**
 * Ollama model tags. `openhermes` and `openhermes:latest` name the same model, and so do
 * `library/openhermes` style names with a namespace: the tag defaults to `latest` when the
 * last path segment has none (a registry host with a port, `host:5000/ns/model`, keeps its
 * port and still gets `:latest`).
 */
export function normalizeModel(name: string): string {
  const n = name.trim();
  return n.slice(n.lastIndexOf("/") + 1).includes(":") ? n : `${n}:latest`;
}

export function sameModel(a: string, b: string): boolean {
  return normalizeModel(a) === normalizeModel(b);
}
