/**
 * Who did something on the Adaptations screen, as the operator reads it: "you" for their own
 * actions, the scheduler and the cron endpoint by name, anyone else by the start of their user
 * id (the audit log keeps ids, not names: a user's email is Supabase Auth's, not ours to read here).
 */
export function actorLabel(actor: string | null | undefined, viewerId: string): string {
  if (!actor) return "?";
  if (actor === viewerId) return "you";
  if (actor === "system") return "the schedule";
  if (actor === "cron") return "the cron endpoint";
  return actor.slice(0, 8);
}
