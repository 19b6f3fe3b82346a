import "server-only";
import { AppError, toAppError, type ErrorCode } from "@/lib/errors";

/**
 * An AppError with what the compatible APIs' clients read besides the status: the field at
 * fault (OpenAI's `param`), an OpenAI-style `code`, and the interaction it concerns.
 */
export class ApiError extends AppError {
  readonly param: string | null;
  readonly apiCode: string | null;
  readonly interactionId: string | null;

  constructor(code: ErrorCode, message: string, extra: { param?: string; apiCode?: string; interactionId?: string | null } = {}) {
    super(code, message);
    this.param = extra.param ?? null;
    this.apiCode = extra.apiCode ?? null;
    this.interactionId = extra.interactionId ?? null;
  }
}

const OPENAI_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  404: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
};

const DEFAULT_API_CODE: Partial<Record<string, string>> = {
  unauthorized: "invalid_api_key",
  not_found: "not_found",
  bad_request: "invalid_request",
  too_large: "context_length_exceeded",
  rate_limited: "rate_limit_exceeded",
  unavailable: "models_unavailable",
};

function headersFor(err: AppError): Record<string, string> {
  const h: Record<string, string> = { "cache-control": "no-store", ...err.headers() };
  if (err.status === 401) h["www-authenticate"] = 'Bearer realm="elite"';
  // The models already had their fallbacks; an immediate retry (the openai client's default) would not help.
  if (err.status >= 500) h["x-should-retry"] = "false";
  if (err instanceof ApiError && err.interactionId) h["x-elite-interaction-id"] = err.interactionId;
  return h;
}

/** Ollama's shape: `{"error": "message"}` with the status (the ollama client throws ResponseError). */
export function ollamaErrorResponse(e: unknown): Response {
  const err = toAppError(e);
  return Response.json({ error: err.toJSON().message }, { status: err.status, headers: headersFor(err) });
}

/** OpenAI's shape: `{"error": {message, type, param, code}}` (the openai client throws APIError subclasses). */
export function openaiErrorResponse(e: unknown): Response {
  const err = toAppError(e);
  return Response.json({ error: openaiErrorBody(err) }, { status: err.status, headers: headersFor(err) });
}

export function openaiErrorBody(err: AppError) {
  return {
    message: err.toJSON().message,
    type: OPENAI_TYPE[err.status] ?? (err.status >= 500 ? "server_error" : "invalid_request_error"),
    param: err instanceof ApiError ? err.param : null,
    code: (err instanceof ApiError && err.apiCode) || DEFAULT_API_CODE[err.kind] || err.code,
  };
}

/** The app's own shape (`/api/feedback`): `{"error": {code, message}}`. */
export function appErrorResponse(e: unknown): Response {
  const err = toAppError(e);
  return Response.json({ error: err.toJSON() }, { status: err.status, headers: headersFor(err) });
}
