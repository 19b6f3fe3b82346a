import type { ChatResponse, ModelDetails, Options, Tool, ToolCall } from "ollama";

export type { ChatResponse, ModelDetails, Tool, ToolCall };

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  images?: string[];
  /** the functions an assistant turn called (agents' tool use) */
  tool_calls?: ToolCall[];
  /** which function a tool turn answers */
  tool_name?: string;
}

/** Sampling and runtime options passed through to Ollama (temperature, num_predict, num_ctx, seed…). */
export type ModelOptions = Partial<Options>;

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  options?: ModelOptions;
  /** `"json"` or a JSON schema (e.g. from `z.toJSONSchema(schema)`) for structured output. */
  format?: "json" | Record<string, unknown>;
  /** How long the model stays loaded afterwards: seconds, or a duration such as "10m"; -1 keeps it. */
  keepAlive?: string | number;
  think?: boolean;
  /** Functions the model may call (only models with Ollama's `tools` capability take them). */
  tools?: Tool[];
  signal?: AbortSignal;
  /** Extra HTTP headers for this request only (the tests use `x-sim-fault`). */
  headers?: Record<string, string>;
  /** Time-outs for this request (learned per model); never longer than the pool's own. */
  timeouts?: { firstTokenMs?: number; totalMs?: number };
  /**
   * Longest wait for a free slot of the model (default: the pool's queue time-out); then an
   * OllamaTimeoutError, phase "queue". 0: only a slot free now.
   */
  slotWaitMs?: number;
}

/** A completion from /api/generate: the text before the cursor and, for fill-in-the-middle, after it. */
export interface GenerateRequest {
  model: string;
  prompt: string;
  suffix?: string;
  system?: string;
  /** Send the prompt as it is, without the model's template (editors' FIM prompts). */
  raw?: boolean;
  options?: ModelOptions;
  keepAlive?: string | number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  timeouts?: { firstTokenMs?: number; totalMs?: number };
}

export interface ChatResult {
  /** The host that answered. */
  host: string;
  model: string;
  content: string;
  /** "stop", or "length" when num_predict cut the answer. */
  doneReason: string;
  promptEvalCount: number;
  evalCount: number;
  /** Ollama's own durations, converted from nanoseconds to milliseconds. */
  totalDurationMs: number;
  loadDurationMs: number;
  promptEvalDurationMs: number;
  evalDurationMs: number;
  /** Measured here: waiting for a free slot, request to first chunk, request to last chunk. */
  queuedMs: number;
  ttftMs: number;
  wallMs: number;
  createdAt: Date;
  /** The final chunk as Ollama sent it (the simulator adds a `sim` field here; the app ignores it). */
  raw: ChatResponse;
  /** The functions the model called, from every chunk (Ollama sends them whole). */
  toolCalls: ToolCall[];
}

export type ChatChunk = { type: "delta"; content: string; thinking?: string; toolCalls?: ToolCall[] } | { type: "done"; result: ChatResult };

export interface EmbedRequest {
  model: string;
  input: string[];
  /** Inputs per request; default 32. */
  batchSize?: number;
  keepAlive?: string | number;
  signal?: AbortSignal;
}

export interface EmbedResult {
  model: string;
  embeddings: number[][];
  dimensions: number;
}

export interface ModelInfo {
  model: string;
  /** Trained context window (`<arch>.context_length` in model_info). */
  contextLength: number;
  /** The model's default `num_ctx` parameter, when its Modelfile sets one. */
  numCtx?: number;
  details: ModelDetails;
  /** The raw `parameters` text, one `name value` per line. */
  parameters: string;
  /** The prompt template (a `.Suffix` in it means fill-in-the-middle). */
  template: string;
  capabilities: string[];
}

export interface HostModels {
  host: string;
  ok: boolean;
  models: string[];
  error?: string;
}

export interface LoadedModel {
  host: string;
  name: string;
  expiresAt: Date;
  sizeVram: number;
  contextLength?: number;
}

export interface HostHealth {
  host: string;
  ok: boolean;
  version?: string;
  /** True when the host is the Ollama simulator (its /api/version says so). */
  simulator: boolean;
  error?: string;
  coolingDownUntil?: Date;
}

export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface PoolOptions {
  /** Base URLs, e.g. ["http://127.0.0.1:11434"]. The client ignores OLLAMA_HOST, so pass them. */
  hosts: string[];
  fetch?: typeof fetch;
  limits?: {
    /** Requests per model at once across the pool (default 2); more wait in a FIFO queue. */
    perModelConcurrency?: number;
    /** Longest wait in that queue (default 60 s). */
    queueTimeoutMs?: number;
  };
  timeouts?: {
    /** Request to first chunk, model load included (default 60 s). */
    firstTokenMs?: number;
    /** Request to last chunk (default 300 s). */
    totalMs?: number;
    /** tags, ps, show, version (default 5 s). */
    metadataMs?: number;
  };
  cooldown?: {
    /** Failures within a rolling minute that take a host out (default 3). */
    failuresPerMinute?: number;
    /** How long it stays out (default 30 s); then the next request tries it again. */
    cooldownMs?: number;
  };
  cache?: {
    /** How long a host's model list is trusted (default 30 s; refreshed early when a model is not in it). */
    tagsMs?: number;
    /** How long a host's loaded-model list is trusted (default 5 s). */
    psMs?: number;
  };
  /** Clock for cool-downs and caches (ms); tests move it forward. */
  now?: () => number;
}
