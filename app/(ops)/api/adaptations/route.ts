import { requireOperator } from "@/lib/auth";
import { toAppError } from "@/lib/errors";
import { loadAdaptationsView } from "@/lib/learning/view";

export const dynamic = "force-dynamic";

/** The Adaptations screen's data (it polls this for live experiment updates). Operators only. */
export async function GET() {
  try {
    await requireOperator();
    return Response.json(await loadAdaptationsView(), { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return toAppError(e).toResponse();
  }
}
