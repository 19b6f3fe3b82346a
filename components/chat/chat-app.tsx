"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import type { RunEvent } from "@/lib/chat/events";
import type { ConversationSummary, ModelChoice, Turn } from "@/lib/chat/types";
import { submitFeedback } from "@/app/(chat)/actions";
import { useChatStream } from "./use-chat-stream";
import { Sidebar } from "./sidebar";
import { Composer } from "./composer";
import { AnswerCard, ErrorNotice } from "./answer-card";

const DRAFT_KEY = "elite-chat-draft";

function rootOf(turn: Turn, byId: Map<string, Turn>): string {
  let t = turn;
  while (t.parentId && byId.has(t.parentId)) t = byId.get(t.parentId)!;
  return t.id;
}

interface ChatAppProps {
  conversationId: string | null;
  conversations: ConversationSummary[];
  initialTurns: Turn[];
  models: ModelChoice[];
  maxContextTokens: number;
}

const NO_TURNS: Turn[] = [];

/**
 * The chat: the conversation the server rendered, or a new one. "New chat" starts the new one
 * here and now, in the browser, instead of navigating to /chat. After a first message this
 * page writes /chat/<id> into the address bar itself, so the router still took the page for
 * /chat and going there changed nothing: the next message went on in the same conversation.
 * And while a page was on its way, what the user typed went to the one being replaced.
 * Back and Forward ask the server for the conversation the address names.
 */
export function ChatApp(props: ChatAppProps) {
  const router = useRouter();
  const [fresh, setFresh] = useState(0);
  // Another conversation opened: show it.
  useEffect(() => setFresh(0), [props.conversationId, props.initialTurns]);
  // The address may name a conversation this page does not show: one it wrote into the
  // address bar itself (a first message, a new chat), which the browser came back to, with
  // the page it had then. Ask the server for what the address names: on arrival, and on every
  // step back or forward.
  const { conversationId } = props;
  useEffect(() => {
    const named = () => /^\/chat\/([0-9a-f-]{36})$/.exec(window.location.pathname)?.[1] ?? null;
    const name = named();
    if (name && name !== conversationId) router.refresh();
    const moved = () => {
      setFresh(0);
      if (named() !== conversationId) router.refresh();
    };
    window.addEventListener("popstate", moved);
    return () => window.removeEventListener("popstate", moved);
  }, [conversationId, router]);
  const newChat = useCallback(() => {
    window.history.pushState(null, "", "/chat");
    setFresh((n) => n + 1);
  }, []);
  return <ChatSession key={fresh} {...props} {...(fresh ? { conversationId: null, initialTurns: NO_TURNS } : {})} onNewChat={newChat} />;
}

function ChatSession({
  conversationId: initialId,
  conversations,
  initialTurns,
  models,
  maxContextTokens,
  onNewChat,
}: ChatAppProps & { onNewChat: () => void }) {
  const [conversationId, setConversationId] = useState(initialId);
  const [turns, setTurns] = useState<Turn[]>(initialTurns);
  const [draft, setDraft] = useState("");
  const [sendError, setSendError] = useState<{ code: string; message: string } | null>(null);
  const current = useRef<string | null>(null); // id of the turn being streamed
  const failedEmpty = useRef(false); // the last answer failed before any text arrived
  const bottom = useRef<HTMLDivElement>(null);
  // An answer still streaming when the user started a new chat goes on (and is recorded), but
  // no longer changes this page: not its turns, not its address.
  const shown = useRef(true);
  useEffect(() => {
    shown.current = true;
    return () => {
      shown.current = false;
    };
  }, []);

  useEffect(() => {
    setTurns(initialTurns);
    setConversationId(initialId);
  }, [initialTurns, initialId]);

  // The unsent text survives a reload and the page change after the first message.
  useEffect(() => {
    const saved = sessionStorage.getItem(DRAFT_KEY);
    if (saved) setDraft((d) => d || saved);
  }, []);
  useEffect(() => {
    if (draft) sessionStorage.setItem(DRAFT_KEY, draft);
    else sessionStorage.removeItem(DRAFT_KEY);
  }, [draft]);

  const [sidebarVersion, setSidebarVersion] = useState(0);
  const patch = useCallback((id: string, f: (t: Turn) => Turn) => setTurns((ts) => ts.map((t) => (t.id === id ? f(t) : t))), []);

  const onEvent = useCallback(
    (e: RunEvent) => {
      const id = current.current;
      if (!id || !shown.current) return;
      switch (e.type) {
        case "start":
          current.current = e.interactionId;
          patch(id, (t) => ({ ...t, id: e.interactionId, decision: e.decision, parentId: e.parentId }));
          if (!conversationId || conversationId !== e.conversationId) {
            setConversationId(e.conversationId);
            window.history.replaceState(null, "", `/chat/${e.conversationId}`);
          }
          break;
        case "token":
          patch(id, (t) => ({ ...t, response: t.response + e.text }));
          break;
        case "fallback":
          // The partial answer of the failed model is replaced by the next model's answer.
          patch(id, (t) => ({ ...t, response: "", notices: [...t.notices, e.attempt] }));
          break;
        case "done":
          patch(id, (t) => ({ ...t, status: "completed", decision: e.decision, response: e.response }));
          break;
        case "error":
          failedEmpty.current = true;
          patch(id, (t) => ({ ...t, status: "failed", decision: e.decision ?? t.decision, error: { code: e.code, message: e.message } }));
          break;
      }
      bottom.current?.scrollIntoView({ block: "end" });
    },
    [conversationId, patch],
  );

  const { send, stop, busy } = useChatStream(onEvent);

  async function run(prompt: string, opts: { regenerateOf?: string; model?: string } = {}) {
    const tmp = `tmp-${Date.now()}`;
    current.current = tmp;
    failedEmpty.current = false;
    setSendError(null);
    setTurns((ts) => [
      ...ts,
      { id: tmp, parentId: opts.regenerateOf ?? null, prompt, response: "", status: "streaming", decision: null, notices: [], error: null, rating: null, feedback: {}, createdAt: new Date().toISOString() },
    ]);
    const res = await send({ conversationId, prompt, ...opts });
    const id = current.current;
    current.current = null;
    if (!res.ok) {
      // Nothing was recorded: take the turn back and keep the user's text in the composer.
      setTurns((ts) => ts.filter((t) => t.id !== tmp));
      setSendError({ code: res.code, message: res.message });
      if (!opts.regenerateOf) setDraft(prompt);
      return;
    }
    if (id) patch(id, (t) => (t.status === "streaming" ? { ...t, status: "cancelled" } : t));
    // The request is recorded as failed; keep the text ready to send again.
    if (failedEmpty.current && !opts.regenerateOf) {
      setDraft((d) => d || prompt);
      sessionStorage.setItem(DRAFT_KEY, prompt);
    }
    // The sidebar's order and titles, fetched again. Not router.refresh(): once the URL names a
    // new conversation, a refresh renders the /chat/[id] page and remounts this one, losing
    // what the user has started doing meanwhile (a model picked to regenerate with, say).
    setSidebarVersion((v) => v + 1);
  }

  const groups = useMemo(() => {
    const byId = new Map(turns.map((t) => [t.id, t]));
    const out = new Map<string, Turn[]>();
    for (const t of turns) {
      const r = rootOf(t, byId);
      out.set(r, [...(out.get(r) ?? []), t]);
    }
    return [...out.values()];
  }, [turns]);

  return (
    <div className="flex h-[calc(100vh-7rem)] flex-col gap-3 md:flex-row md:gap-4">
      <Sidebar conversations={conversations} version={sidebarVersion} activeId={conversationId} onNewChat={onNewChat} onDeleted={(id) => id === conversationId && onNewChat()} />
      <section className="flex min-w-0 flex-1 flex-col gap-3" data-testid="page-chat">
        <div className="flex-1 space-y-6 overflow-y-auto pr-2" data-testid="thread">
          {groups.length === 0 && (
            <div className="mt-16 text-center text-sm text-zinc-500">
              <p className="text-lg font-medium text-zinc-700 dark:text-zinc-300">What are you working on?</p>
              <p>Each question goes to the model most likely to answer it well; tell it when it chose wrong.</p>
            </div>
          )}
          {groups.map((group) => (
            <div key={group[0].id} className="space-y-2" data-testid="turn">
              <div className="ml-auto max-w-[80%] whitespace-pre-wrap rounded-lg bg-zinc-100 px-3 py-2 text-sm dark:bg-zinc-800" data-testid="user-message">
                {group[0].prompt}
              </div>
              <div className="flex flex-col gap-2 lg:flex-row">
                {group.map((t) => (
                  <AnswerCard
                    key={t.id}
                    turn={t}
                    models={models}
                    busy={busy}
                    canPrefer={group.length > 1}
                    onRegenerate={(turn, model) => run(turn.prompt, { regenerateOf: turn.id, model })}
                    onCopy={(turn) => void submitFeedback({ interactionId: turn.id, copied: true })}
                    onPrefer={async (turn) => {
                      const res = await submitFeedback({ interactionId: turn.id, preferred: true });
                      if (res.ok) setTurns((ts) => ts.map((x) => (group.some((g) => g.id === x.id) ? { ...x, feedback: { ...x.feedback, preferred: x.id === turn.id } } : x)));
                    }}
                  />
                ))}
              </div>
            </div>
          ))}
          <div ref={bottom} />
        </div>
        {sendError && <ErrorNotice error={sendError} />}
        <Composer value={draft} onChange={setDraft} busy={busy} onStop={stop} maxTokens={maxContextTokens}
          onSend={() => {
            const prompt = draft;
            setDraft("");
            void run(prompt);
          }} />
      </section>
    </div>
  );
}
