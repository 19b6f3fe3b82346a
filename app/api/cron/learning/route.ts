import { requireCronSecret } from "@/lib/auth/cron";
import { toAppError } from "@/lib/errors";
import { learningTick } from "@/lib/learning/scheduler";

export const dynamic = "force-dynamic";

/**
 * For an external cron where no server process stays up: checks running experiments and runs
 * the Learning Director's analysis (`?analysis=due` runs it only when its interval has passed;
 * by default it runs). `Authorization: Bearer $CRON_SECRET` (lib/auth/cron.ts: 503 while
 * CRON_SECRET is unset, 401 without the right secret).
 */
export async function POST(request: Request) {
  try {
    requireCronSecret(request);
    const force = new URL(request.url).searchParams.get("analysis") !== "due";
    return Response.json(await learningTick({ force, actorId: "cron" }));
  } catch (e) {
    return toAppError(e).toResponse();
  }
}

export const GET = POST;
