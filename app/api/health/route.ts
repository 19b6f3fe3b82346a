import { databaseStatus, ollamaStatus } from "@/lib/health";

export const dynamic = "force-dynamic";

/**
 * Liveness and readiness: the database and each Ollama host. Public on purpose (load
 * balancers and the test runner wait on it); it reveals no user data. 503 when the
 * database is down; Ollama being down is "degraded", since the app still serves history.
 */
export async function GET() {
  const [database, hosts] = await Promise.all([databaseStatus(), ollamaStatus()]);
  const ollamaOk = hosts.some((h) => h.ok);
  const status = !database.ok ? "down" : ollamaOk ? "ok" : "degraded";
  return Response.json(
    {
      status,
      database,
      ollama: { ok: ollamaOk, simulated: hosts.some((h) => h.ok && h.simulator), hosts },
    },
    { status: database.ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
