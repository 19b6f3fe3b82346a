/**
 * One error type with codes, `<kind>:<surface>`. The kind decides the HTTP status and
 * whether the message may be shown; the cause stays in the server log.
 */
export type ErrorKind = "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "too_large" | "rate_limited" | "unavailable" | "internal";
export type ErrorSurface = "auth" | "database" | "ollama" | "input" | "config" | "chat" | "knowledge" | "learning" | "api";
export type ErrorCode = `${ErrorKind}:${ErrorSurface}`;

const STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

const DEFAULT_MESSAGE: Record<ErrorKind, string> = {
  bad_request: "The request was not valid.",
  unauthorized: "You need to sign in first.",
  forbidden: "You do not have access to this. Ask an operator.",
  not_found: "Not found.",
  conflict: "That conflicts with the current state; reload and try again.",
  too_large: "The request is too large.",
  rate_limited: "Too many requests; wait a moment and try again.",
  unavailable: "A service this needs is not available right now.",
  internal: "Something went wrong on the server. The details are in the server log.",
};

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly surface: ErrorSurface;
  readonly status: number;
  /** With rate_limited: when to try again (sent as Retry-After). */
  readonly retryAfterSeconds: number | null;

  constructor(
    public readonly code: ErrorCode,
    message?: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    const [kind, surface] = code.split(":") as [ErrorKind, ErrorSurface];
    super(message ?? DEFAULT_MESSAGE[kind], options);
    this.name = "AppError";
    this.kind = kind;
    this.surface = surface;
    this.status = STATUS[kind];
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
  }

  /** What a client may see: internal errors never carry their message or cause. */
  toJSON() {
    return { code: this.code, message: this.kind === "internal" ? DEFAULT_MESSAGE.internal : this.message };
  }

  /** The headers the status asks for (Retry-After with a 429). */
  headers(): Record<string, string> {
    return this.retryAfterSeconds === null ? {} : { "retry-after": String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }

  toResponse(): Response {
    return Response.json({ error: this.toJSON() }, { status: this.status, headers: this.headers() });
  }
}

/** Turns anything thrown into an AppError, logging what is not one. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  console.error(err);
  return new AppError("internal:api", undefined, { cause: err });
}
