import { apiFeedback } from "@/lib/api/feedback";

export const dynamic = "force-dynamic";

/** Feedback on an answer received through the API (`Authorization: Bearer <key>`); see lib/api/feedback.ts. */
export function POST(request: Request) {
  return apiFeedback(request);
}
