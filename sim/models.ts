import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hash32, rng } from "./random";

export const TASK_TYPES = [
  "math",
  "algorithm",
  "code_generation",
  "debugging",
  "refactoring_optimization",
  "architecture",
  "explanation",
  "general",
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

interface SimulatedProfile {
  role: string;
  success: Record<TaskType, number>;
  tokens_per_s: number;
  ttft_ms: number;
  load_ms: number;
  context: number;
}
interface PublishedProfile {
  context: number;
  params_b: number;
  q4_gb?: number;
}
export interface ProfilesFile {
  simulated: Record<string, SimulatedProfile>;
  published: Record<string, PublishedProfile>;
  embedding_model: { tag: string; dimensions: number };
}

export interface SimModel {
  /** Full tag as /api/tags lists it, e.g. `openhermes:latest`. */
  name: string;
  role: string;
  arch: string;
  family: string;
  parameterSize: string;
  sizeBytes: number;
  digest: string;
  /** Trained window, reported as `<arch>.context_length` by /api/show. */
  trainedContext: number;
  /** Window the server uses when a request sets no num_ctx (a `num_ctx` parameter in /api/show). */
  numCtx: number;
  loadMs: number;
  ttftMs: number;
  tokensPerSec: number;
  success: Record<TaskType, number>;
  embedding: boolean;
  embeddingDim: number;
  template: string;
  parameters: string;
}

/** `openhermes` and `openhermes:latest` are the same model, as in Ollama. */
export function normalizeModelName(name: string): string {
  const n = name.trim();
  const lastSegment = n.slice(n.lastIndexOf("/") + 1);
  return lastSegment.includes(":") ? n : `${n}:latest`;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The profile file: `SIM_PROFILES` if set, else the shared copy beside the repo
 * (`../shared/data/model-profiles.json` from the working directory) when present, else the
 * copy committed next to this file, so the repository works on its own.
 */
export function profilesPath(): string {
  const candidates = [
    process.env.SIM_PROFILES,
    path.resolve(process.cwd(), "../shared/data/model-profiles.json"),
    path.join(here, "model-profiles.json"),
  ].filter((p): p is string => Boolean(p));
  return candidates.find((p) => fs.existsSync(p)) ?? path.join(here, "model-profiles.json");
}

export function loadProfiles(file = profilesPath()): ProfilesFile {
  return JSON.parse(fs.readFileSync(file, "utf8")) as ProfilesFile;
}

const TEMPLATES: Record<string, { template: string; stop: string[] }> = {
  openhermes: {
    template:
      "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}<|im_start|>assistant\n",
    stop: ["<|im_start|>", "<|im_end|>"],
  },
  // Mistral's models call tools (a template with `.Tools`: Ollama's `tools` capability).
  mathstral: {
    template: "{{ if .Tools }}[AVAILABLE_TOOLS] {{ json .Tools }}[/AVAILABLE_TOOLS]{{ end }}[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }} [/INST]",
    stop: ["[INST]", "[/INST]"],
  },
  // The code models fill in the middle, as FIM-capable tags do in Ollama: a template with `.Suffix`
  // (Ollama reports the `insert` capability for exactly those).
  "deepseek-coder": {
    template:
      "{{ if .Suffix }}<｜fim▁begin｜>{{ .Prompt }}<｜fim▁hole｜>{{ .Suffix }}<｜fim▁end｜>{{ else }}{{ .System }}\n### Instruction:\n{{ .Prompt }}\n### Response:\n{{ end }}",
    stop: ["### Instruction:", "### Response:", "<|EOT|>"],
  },
  codellama: {
    template: "{{ if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{ else }}[INST] <<SYS>>{{ .System }}<</SYS>>\n\n{{ .Prompt }} [/INST]\n{{ end }}",
    stop: ["[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"],
  },
  // A stand-in for a reasoning model: a template with `.Think` (Ollama's `thinking` capability).
  wizardcoder: {
    template:
      "{{ .System }}\n\n### Instruction:\n{{ .Prompt }}\n\n### Response:\n{{ if .Think }}<think>{{ end }}",
    stop: ["### Instruction:", "### Response:"],
  },
};

function parametersText(stop: string[], numCtx: number | undefined): string {
  const lines = stop.map((s) => `stop                           ${JSON.stringify(s)}`);
  if (numCtx) lines.push(`num_ctx                        ${numCtx}`);
  return lines.join("\n");
}

const digestOf = (name: string) => {
  const r = rng(hash32("digest", name));
  return Array.from({ length: 8 }, () => Math.floor(r() * 2 ** 32).toString(16).padStart(8, "0")).join("");
};

/** The models a simulator serves, built from the profile file. */
export function buildCatalogue(profiles: ProfilesFile): Map<string, SimModel> {
  const out = new Map<string, SimModel>();
  for (const [tag, sim] of Object.entries(profiles.simulated)) {
    const pub = profiles.published[tag];
    const base = tag.split(":")[0];
    const tpl = TEMPLATES[base] ?? { template: "{{ .Prompt }}", stop: [] };
    const name = normalizeModelName(tag);
    const paramsB = pub?.params_b ?? 7;
    out.set(name, {
      name,
      role: sim.role,
      arch: "llama",
      family: "llama",
      parameterSize: `${paramsB.toFixed(1)}B`,
      sizeBytes: Math.round((pub?.q4_gb ?? paramsB * 0.57) * 1e9),
      digest: digestOf(name),
      trainedContext: pub?.context ?? sim.context,
      numCtx: Math.min(sim.context, pub?.context ?? sim.context),
      loadMs: sim.load_ms,
      ttftMs: sim.ttft_ms,
      tokensPerSec: sim.tokens_per_s,
      success: sim.success,
      embedding: false,
      embeddingDim: 4096,
      template: tpl.template,
      parameters: parametersText(tpl.stop, Math.min(sim.context, pub?.context ?? sim.context)),
    });
  }
  const emb = profiles.embedding_model;
  const embName = normalizeModelName(emb.tag);
  out.set(embName, {
    name: embName,
    role: "embedding",
    arch: "nomic-bert",
    family: "nomic-bert",
    parameterSize: "137M",
    sizeBytes: 274_302_450,
    digest: digestOf(embName),
    trainedContext: 2048,
    numCtx: 2048,
    loadMs: 600,
    ttftMs: 15,
    tokensPerSec: 2000,
    success: Object.fromEntries(TASK_TYPES.map((t) => [t, 0])) as Record<TaskType, number>,
    embedding: true,
    embeddingDim: emb.dimensions,
    template: "{{ .Prompt }}",
    parameters: parametersText([], 8192),
  });
  return out;
}
