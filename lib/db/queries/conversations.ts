import type { Queryable, Statement } from "../types";

export interface ConversationRow {
  id: string;
  user_id: string;
  title: string;
  created_at: Date;
  updated_at: Date;
  metadata: Record<string, unknown>;
}

/** Runs under the caller's RLS session: user_id defaults to auth.uid(). */
export async function createConversation(tx: Queryable, { title }: { title?: string } = {}): Promise<ConversationRow> {
  const { rows } = await tx.query<ConversationRow>(
    "insert into conversations (title) values (coalesce($1, 'New conversation')) returning *",
    [title ?? null],
  );
  return rows[0];
}

/**
 * The server's insert of a new conversation for a verified user, with an id chosen by the
 * server (so the answer can start before the row is written). Not for user sessions.
 */
export function createConversationStatement({ id, userId, title }: { id: string; userId: string; title: string }): Statement {
  return { sql: "insert into conversations (id, user_id, title) values ($1, $2, $3)", params: [id, userId, title] };
}

/** A conversation in the chat list: `from_api` when an editor or another client asked in it through the compatible APIs. */
export type ListedConversation = ConversationRow & { from_api: boolean };

/** Newest first; `search` matches the title or any prompt or answer in the conversation. */
export async function listConversations(
  tx: Queryable,
  { search, limit = 100, userId }: { search?: string; limit?: number; userId: string },
): Promise<ListedConversation[]> {
  const pattern = search?.trim() ? `%${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const { rows } = await tx.query<ListedConversation>(
    `select c.*, exists (select 1 from interactions a where a.conversation_id = c.id and a.source = 'api') as from_api from conversations c
     where c.user_id = $3
       -- a client's housekeeping alone (lib/domain/client-task.ts) is no conversation of the user's
       and not (exists (select 1 from interactions t where t.conversation_id = c.id and t.client_task)
                and not exists (select 1 from interactions u where u.conversation_id = c.id and not u.client_task))
       and ($1::text is null or c.title ilike $1 or exists (
         select 1 from interactions i where i.conversation_id = c.id and (i.user_prompt ilike $1 or i.response ilike $1)))
     order by c.updated_at desc limit $2`,
    [pattern, limit, userId],
  );
  return rows;
}

export async function getConversation(tx: Queryable, { id }: { id: string }): Promise<ConversationRow | null> {
  const { rows } = await tx.query<ConversationRow>("select * from conversations where id = $1", [id]);
  return rows[0] ?? null;
}

export async function renameConversation(tx: Queryable, { id, title }: { id: string; title: string }): Promise<boolean> {
  const { rows } = await tx.query("update conversations set title = $2 where id = $1 returning id", [id, title]);
  return rows.length === 1;
}

export function touchConversationStatement({ id }: { id: string }): Statement {
  return { sql: "update conversations set updated_at = now() where id = $1", params: [id] };
}

export async function deleteConversation(tx: Queryable, { id }: { id: string }): Promise<boolean> {
  const { rows } = await tx.query("delete from conversations where id = $1 returning id", [id]);
  return rows.length === 1;
}
