/**
 * On a direct (or session) connection the app's statements are prepared once per connection
 * and then sent as one message; behind a transaction pooler (Supabase's port 6543), which
 * hands each transaction to another server connection, they are not. Run by `npm run
 * test:postgres` only: the embedded database has no connections to prepare on.
 */
import { describe, expect, it } from "vitest";
import { serverTestDb } from "../support/server-db";
import { openPostgres, preparesStatements } from "../../lib/db/postgres";

const server = serverTestDb();

describe("prepared statements", () => {
  it("are used on a direct connection: a statement run again is not parsed again", async () => {
    const db = openPostgres(server.url, { max: 1 });
    try {
      const prepared = async () =>
        (await db.query<{ n: number }>("select count(*)::int as n from pg_prepared_statements where statement like '%elite prepared probe%'")).rows[0].n;
      const probe = (x: number) => db.query<{ y: number }>("select $1::int + 1 as y -- elite prepared probe", [x]);
      expect((await probe(1)).rows[0].y).toBe(2);
      expect(await prepared()).toBe(1);
      expect((await probe(41)).rows[0].y).toBe(42); // the same statement, other values
      expect(await prepared()).toBe(1);
    } finally {
      await db.close();
    }
  });

  it("are not used behind a transaction pooler", () => {
    expect(preparesStatements("postgresql://postgres.abc:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres")).toBe(false);
    expect(preparesStatements("postgresql://postgres.abc:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres")).toBe(true);
    expect(preparesStatements("postgresql://postgres:pw@db.abc.supabase.co:5432/postgres")).toBe(true);
    expect(preparesStatements("postgresql://postgres@127.0.0.1/postgres")).toBe(true);
    expect(preparesStatements("not a url")).toBe(false);
  });
});
