import { requireCronSecret } from "@/lib/auth/cron";
import { toAppError } from "@/lib/errors";
import { drainJobs } from "@/lib/jobs/worker";
import { registerKnowledgeJobs } from "@/lib/knowledge/jobs";

/**
 * For an external cron where no process stays up: runs due jobs for up to ~50 s.
 * `Authorization: Bearer $CRON_SECRET` (lib/auth/cron.ts: 503 while unset, 401 without it).
 */
async function handle(request: Request) {
  try {
    requireCronSecret(request);
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
