/**
 * The ids of the tool calls the OpenAI-compatible API answers with name the interaction that
 * made them (`call_<interaction id without dashes>_<index>`), so the next request of an
 * agent's loop, which sends the calls back with their results, says which answer it continues.
 */
export function toolCallId(interactionId: string, index: number): string {
  return `call_${interactionId.replace(/-/g, "")}_${index}`;
}

const OURS = /^call_([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})_\d+$/;

/** The interaction a tool call id of ours names, or null (another's id, or none). */
export function interactionOfToolCall(id: string | undefined): string | null {
  const m = id ? OURS.exec(id) : null;
  return m ? m.slice(1).join("-") : null;
}

/** The answer an agent's loop continues: the interaction behind the last tool calls in `messages` that are ours. */
export function continuedStep(messages: readonly { role: string; tool_calls?: readonly { id: string }[] | null }[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === "user") return undefined; // calls before the last question belong to an earlier turn
    for (const c of m.tool_calls ?? []) {
      const id = interactionOfToolCall(c.id);
      if (id) return id;
    }
  }
  return undefined;
}
