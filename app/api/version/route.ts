export const dynamic = "force-dynamic";

/**
 * Ollama clients ask for the server version before anything else. Public like Ollama's own:
 * it reveals nothing but the API level this app speaks.
 */
export function GET() {
  return Response.json({ version: "0.12.0", elite: true }, { headers: { "cache-control": "no-store" } });
}
