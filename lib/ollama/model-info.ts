import type { ShowResponse } from "ollama";
import { MalformedResponseError } from "./errors";
import type { ModelInfo } from "./types";

/** What /api/show says of a model, in the pool's terms. */
export function parseShow(model: string, res: ShowResponse): ModelInfo {
  const raw = res.model_info as unknown;
  const info: Record<string, unknown> = raw instanceof Map ? Object.fromEntries(raw) : ((raw ?? {}) as Record<string, unknown>);
  const arch = typeof info["general.architecture"] === "string" ? info["general.architecture"] : undefined;
  const ctxKey = arch && `${arch}.context_length` in info ? `${arch}.context_length` : Object.keys(info).find((k) => k.endsWith(".context_length"));
  const numCtxMatch = /^\s*num_ctx\s+(\d+)/m.exec(res.parameters ?? "");
  const numCtx = numCtxMatch ? Number(numCtxMatch[1]) : undefined;
  const contextLength = Number(ctxKey ? info[ctxKey] : NaN) || numCtx;
  if (!contextLength) throw new MalformedResponseError(`no context length in /api/show for ${model}`, { model });
  return {
    model,
    contextLength,
    numCtx,
    details: res.details,
    parameters: res.parameters ?? "",
    template: res.template ?? "",
    capabilities: res.capabilities ?? [],
  };
}
