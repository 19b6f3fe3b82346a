"use client";
import Link from "next/link";
import { useEffect, useState, useTransition } from "react";
import { deleteConversation, renameConversation, searchConversations } from "@/app/(chat)/actions";
import type { ConversationSummary } from "@/lib/chat/types";

export function Sidebar({
  conversations: initial,
  version = 0,
  activeId,
  onNewChat,
  onDeleted,
}: {
  conversations: ConversationSummary[];
  /** bumped after each answer: the list is fetched again */
  version?: number;
  activeId: string | null;
  /** starts a new conversation in place (a plain click); other clicks open /chat as links do */
  onNewChat: () => void;
  onDeleted: (id: string) => void;
}) {
  const [conversations, setConversations] = useState(initial);
  const [query, setQuery] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, start] = useTransition();

  useEffect(() => setConversations(initial), [initial]);
  useEffect(() => {
    const q = query;
    const t = setTimeout(() => {
      start(async () => {
        const res = await searchConversations({ query: q });
        if (res.ok) setConversations(res.conversations);
        else setError(res.error);
      });
    }, 200);
    return () => clearTimeout(t);
  }, [query, initial, version]);

  return (
    <aside className="flex max-h-44 w-full shrink-0 flex-col gap-2 border-b border-zinc-200 pb-2 md:max-h-none md:w-64 md:border-b-0 md:border-r md:pb-0 md:pr-3 dark:border-zinc-800" aria-label="Conversations">
      <Link href="/chat" data-testid="new-chat"
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          onNewChat();
        }}
        className="rounded-md bg-zinc-900 px-3 py-1.5 text-center text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900">
        New chat
      </Link>
      <input
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder="Search conversations"
        aria-label="Search conversations"
        data-testid="conversation-search"
        className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      />
      {error && <p role="alert" className="text-xs text-red-600">{error}</p>}
      <ul className="flex flex-col gap-0.5 overflow-y-auto" data-testid="conversation-list">
        {conversations.length === 0 && <li className="px-2 text-xs text-zinc-500">{query ? "No conversation matches." : "No conversations yet."}</li>}
        {conversations.map((c) => (
          <li key={c.id} className={`group flex items-center gap-1 rounded-md px-2 py-1 text-sm ${c.id === activeId ? "bg-zinc-100 dark:bg-zinc-800" : ""}`}>
            {editing === c.id ? (
              <form
                className="flex-1"
                onSubmit={(e) => {
                  e.preventDefault();
                  const title = String(new FormData(e.currentTarget).get("title") ?? "");
                  start(async () => {
                    const res = await renameConversation({ id: c.id, title });
                    if (res.ok) {
                      setConversations((cs) => cs.map((x) => (x.id === c.id ? { ...x, title: title.trim() } : x)));
                      setEditing(null);
                      setError(null);
                    } else setError(res.error);
                  });
                }}
              >
                <input name="title" defaultValue={c.title} autoFocus aria-label="Conversation title" data-testid="rename-input"
                  onKeyDown={(e) => e.key === "Escape" && setEditing(null)}
                  className="w-full rounded border border-zinc-300 bg-white px-1 text-sm dark:border-zinc-700 dark:bg-zinc-900" />
              </form>
            ) : (
              <Link href={`/chat/${c.id}`} className="flex-1 truncate" data-testid="conversation-link" aria-current={c.id === activeId ? "page" : undefined}>
                {c.title}
              </Link>
            )}
            {editing !== c.id && c.fromApi && (
              <span data-testid="from-api" title="Asked from an editor or another client, through the API"
                className="rounded bg-zinc-200 px-1 text-[10px] font-medium uppercase text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
                API
              </span>
            )}
            <button type="button" aria-label={`Rename ${c.title}`} data-testid="rename" onClick={() => setEditing(c.id)}
              className="text-xs text-zinc-500 opacity-0 group-hover:opacity-100 focus:opacity-100">✎</button>
            <button type="button" aria-label={`Delete ${c.title}`} data-testid="delete"
              className="text-xs text-zinc-500 opacity-0 group-hover:opacity-100 focus:opacity-100"
              onClick={() => {
                if (!window.confirm(`Delete “${c.title}” and all its messages? This cannot be undone.`)) return;
                start(async () => {
                  const res = await deleteConversation({ id: c.id });
                  if (res.ok) {
                    setConversations((cs) => cs.filter((x) => x.id !== c.id));
                    onDeleted(c.id);
                  } else setError(res.error);
                });
              }}>
              ✕
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
