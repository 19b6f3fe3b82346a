"use client";
import { useCallback, useRef, useState } from "react";
import { runEventSchema, type RunEvent } from "@/lib/chat/events";
import { readNdjson } from "@/lib/ndjson-read";

export interface SendRequest {
  conversationId: string | null;
  prompt: string;
  regenerateOf?: string;
  model?: string;
}

/**
 * Posts a message and reads the answer as NDJSON events. `stop()` aborts the request; the
 * server then records the interaction as cancelled with what had arrived.
 */
export function useChatStream(onEvent: (e: RunEvent) => void) {
  const [busy, setBusy] = useState(false);
  const controller = useRef<AbortController | null>(null);

  const send = useCallback(
    async (req: SendRequest): Promise<{ ok: true } | { ok: false; code: string; message: string }> => {
      const ac = new AbortController();
      controller.current = ac;
      setBusy(true);
      try {
        const res = await fetch("/api/messages", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(req),
          signal: ac.signal,
        });
        if (!res.ok || !res.body) {
          const body = await res.json().catch(() => null);
          return {
            ok: false,
            code: body?.error?.code ?? `http_${res.status}`,
            message: body?.error?.message ?? `The server answered ${res.status}.`,
          };
        }
        await readNdjson(res.body, (value) => {
          const parsed = runEventSchema.safeParse(value);
          if (parsed.success) onEvent(parsed.data);
        });
        return { ok: true };
      } catch (e) {
        if (ac.signal.aborted) return { ok: true };
        return { ok: false, code: "network", message: "The connection to the server was lost. Check that it is running and try again." };
      } finally {
        controller.current = null;
        setBusy(false);
      }
    },
    [onEvent],
  );

  const stop = useCallback(() => controller.current?.abort(), []);
  return { send, stop, busy };
}
