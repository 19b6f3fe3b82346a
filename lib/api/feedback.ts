import "server-only";
import { learnFromFeedback } from "@/lib/learning/feedback";
import { ROLES, roleNamed } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { identityFromRequest } from "./keys";
import { ApiError, appErrorResponse } from "./errors";
import { ELITE_MODEL, readJson, resolveModel } from "./run";
import { apiFeedbackSchema, describeIssue } from "./schemas";

/**
 * `POST /api/feedback`: a rating, thumbs, quick tags, a comment, a correction, a preferred model (a roster tag
 * or a role) or the right task type for an answer the
 * key's user received, learned from exactly like the chat's feedback (lib/learning/feedback).
 * 401 without a valid key, 400 naming the field, 404 for an interaction that is not theirs.
 */
/** The roster model of a role as people name it ("math", "the maths specialist", "Lead developer", "senior dev"). */
async function modelOfRole(name: string): Promise<string | null> {
  const role = roleNamed(name);
  return role ? (await currentRoster()).roles[role] : null;
}

export async function apiFeedback(request: Request): Promise<Response> {
  try {
    const identity = await identityFromRequest(request);
    const parsed = apiFeedbackSchema.safeParse(await readJson(request));
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      throw new ApiError("bad_request:api", message, { param: field });
    }
    const f = parsed.data;
    let betterModel: string | undefined;
    if (f.preferred_model !== undefined) {
      const tag = (await resolveModel(f.preferred_model).catch(() => null)) ?? (await modelOfRole(f.preferred_model));
      if (!tag) {
        throw new ApiError("bad_request:api", `preferred_model: "${f.preferred_model}" is neither one of the routed models nor a role (${ROLES.join(", ")}); ${ELITE_MODEL} itself cannot be preferred`, {
          param: "preferred_model",
        });
      }
      betterModel = tag;
    }
    const { message } = await learnFromFeedback(identity, {
      interactionId: f.interaction_id,
      rating: f.rating,
      thumbs: f.thumbs,
      correction: f.correction,
      comment: f.comment,
      tags: f.tags,
      betterModel,
      taskType: f.task_type,
    });
    return Response.json({ ok: true, interaction_id: f.interaction_id, message }, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return appErrorResponse(e);
  }
}
