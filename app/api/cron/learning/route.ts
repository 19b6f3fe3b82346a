import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/config/env";
import { AppError, toAppError } from "@/lib/errors";
import { learningTick } from "@/lib/learning/scheduler";

export const dynamic = "force-dynamic";

/**
 * For an external cron where no server process stays up: checks running experiments and runs
 * the Learning Director's analysis (`?analysis=due` runs it only when its interval has passed;
 * by default it runs). `Authorization: Bearer $CRON_SECRET`; 503 when CRON_SECRET is unset,
 * 401 without the right secret.
 */
export async function POST(request: Request) {
  try {
    const secret = env().cronSecret;
    if (!secret) throw new AppError("unavailable:config", "CRON_SECRET is not set on the server; the cron route is off.");
    const given = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
    const a = Buffer.from(given);
    const b = Buffer.from(secret);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError("unauthorized:auth", "A valid `Authorization: Bearer <CRON_SECRET>` header is needed.");
    const force = new URL(request.url).searchParams.get("analysis") !== "due";
    return Response.json(await learningTick({ force, actorId: "cron" }));
  } catch (e) {
    return toAppError(e).toResponse();
  }
}

export const GET = POST;
