import { ApiError, ollamaErrorResponse, openaiErrorResponse } from "./errors";

/**
 * A path under `/api` or `/v1` that the app does not offer: a 404 in the dialect's own error
 * shape (a client reads `error` as it would from Ollama or OpenAI), not the web app's HTML page.
 * Ollama's model management (pull, push, create, copy, delete) says where models are managed.
 */
const MANAGED_ON_HOST = new Set(["pull", "push", "create", "copy", "delete", "blobs"]);

export function unknownPath(request: Request): Response {
  const { pathname } = new URL(request.url);
  const [, dialect, first] = pathname.split("/");
  if (dialect === "api" && MANAGED_ON_HOST.has(first)) {
    return ollamaErrorResponse(
      new ApiError("not_found:api", `${request.method} ${pathname} is not offered here: models are pulled, created and deleted on the Ollama host itself (\`ollama pull <model>\`); this server routes among the models the host has (GET /api/tags), and an operator adds them on Settings.`),
    );
  }
  const err = new ApiError("not_found:api", `${request.method} ${pathname} is not an endpoint of this server. ${dialect === "v1" ? "OpenAI-compatible: /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models." : "Ollama-compatible: /api/chat, /api/generate, /api/embed, /api/embeddings, /api/tags, /api/show, /api/ps, /api/version; and /api/feedback, /api/routing."}`);
  return dialect === "v1" ? openaiErrorResponse(err) : ollamaErrorResponse(err);
}
