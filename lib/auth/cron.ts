import "server-only";
import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";

/**
 * The one check of the routes an external cron calls: 503 while CRON_SECRET is unset (the
 * routes are off), 401 unless `Authorization: Bearer <CRON_SECRET>` (scheme case-insensitive)
 * carries exactly the secret, compared in constant time.
 */
export function requireCronSecret(request: Request): void {
  const secret = env().cronSecret;
  if (!secret) throw new AppError("unavailable:config", "CRON_SECRET is not set on the server; the cron routes are off.");
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError("unauthorized:auth", "A valid `Authorization: Bearer <CRON_SECRET>` header is needed.");
}
