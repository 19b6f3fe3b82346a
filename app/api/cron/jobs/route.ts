import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/config/env";
import { AppError, toAppError } from "@/lib/errors";
import { drainJobs } from "@/lib/jobs/worker";
import { registerKnowledgeJobs } from "@/lib/knowledge/jobs";

/**
 * For an external cron where no process stays up: runs due jobs for up to ~50 s.
 * `Authorization: Bearer $CRON_SECRET`; without CRON_SECRET set the route is off.
 */
async function handle(request: Request) {
  try {
    const secret = env().cronSecret;
    if (!secret) throw new AppError("not_found:api", "The cron route is off: set CRON_SECRET to enable it.");
    const given = (request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "");
    const a = Buffer.from(given);
    const b = Buffer.from(secret);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError("unauthorized:api", "A valid CRON_SECRET bearer token is needed.");
    registerKnowledgeJobs();
    const ran = await drainJobs({ budgetMs: 50_000 });
    return Response.json({ ran });
  } catch (e) {
    return toAppError(e).toResponse();
  }
}

export const GET = handle;
export const POST = handle;
export const maxDuration = 60;
