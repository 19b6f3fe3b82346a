/** The small query surface every driver offers (PGlite and postgres.js alike). */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** One SQL statement with its parameters, built ahead so it can be composed (lib/db/statement.ts). */
export interface Statement {
  sql: string;
  params: unknown[];
}

export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  /**
   * For the statements a waiting user's answer depends on (recording the request before its
   * first token, the read its routing needs, recording the answer before its end): on the
   * embedded database, whose one connection runs one statement at a time, they go before the
   * statements already queued (learning, what is kept after an answer), which wait at most a
   * bounded time for them (lib/db/pglite-thread-worker.mjs). Elsewhere the handle itself.
   */
  readonly urgent: Queryable;
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls onPayload with every NOTIFY on channel, from any process on this database.
   * Resolves once listening; the returned function stops it. `onRelisten` runs each time the
   * listening connection was lost and is listening again: notifications sent meanwhile were
   * missed (an embedded database never loses it).
   */
  listen(channel: string, onPayload: (payload: string) => void, onRelisten?: () => void): Promise<() => Promise<void>>;
  /**
   * Runs fn only if no other process holds the lock named `name` (a session advisory lock
   * on a connection of its own, released afterwards); resolves to null when another holds it.
   * An embedded database has one process by construction (its data directory is locked).
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T | null>;
  /**
   * Takes the lock named `name` for as long as this handle is open (on a connection of its
   * own): others see it free the moment this process is gone, however it ended.
   */
  holdLock(name: string): Promise<void>;
  close(): Promise<void>;
}

/** The verified JWT claims a request runs under; they become the RLS session. */
export interface Claims {
  sub: string;
  role: "authenticated" | "anon";
  email?: string;
  app_metadata?: { role?: string; [k: string]: unknown };
  user_metadata?: Record<string, unknown>;
  [k: string]: unknown;
}
