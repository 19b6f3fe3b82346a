import type { ActionResult } from "@/app/(ops)/adaptations/schema";

/** Runs one server action from an adaptations card, with the page's pending state and message. */
export type Act = (fn: () => Promise<ActionResult>) => void;
