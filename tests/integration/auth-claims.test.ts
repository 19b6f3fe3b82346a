import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@supabase/supabase-js";
import { generateKeyPair } from "jose";
import WebSocket from "ws";
import { startFakeGoTrue } from "../support/fake-gotrue";
import { createTestDb, OPERATOR, USER_A, USER_B } from "../support/db";
import { claimsFromVerifiedJwt, isOperator, LOCAL_OPERATOR_CLAIMS } from "../../lib/auth/claims";
import { withClaims } from "../../lib/db/session";

let auth: Awaited<ReturnType<typeof startFakeGoTrue>>;
let db: Awaited<ReturnType<typeof createTestDb>>;

const client = () =>
  createClient(auth.url, "anon-key-for-tests-0123456789", {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });

/** What a request with this token may do: the same path the server takes (getClaims → claims → RLS session). */
async function sessionFor(token: string) {
  const { data, error } = await client().auth.getClaims(token);
  if (error || !data) return null;
  return claimsFromVerifiedJwt(data.claims);
}

beforeAll(async () => {
  auth = await startFakeGoTrue([
    { id: USER_A, email: "a@example.test", password: "password-a" },
    { id: OPERATOR, email: "op@example.test", password: "password-op", app_metadata: { role: "operator" } },
  ]);
  db = await createTestDb();
});
afterAll(async () => {
  await auth.close();
  await db.close();
});

describe("Supabase-mode claims → database session", () => {
  it("a verified user's token becomes their RLS identity", async () => {
    const claims = await sessionFor(await auth.sign({ sub: USER_A, email: "a@example.test" }));
    expect(claims).not.toBeNull();
    expect(isOperator(claims)).toBe(false);
    const { rows } = await withClaims(db, claims, async (tx) => {
      await tx.query("insert into conversations (title) values ('mine')");
      return tx.query<{ uid: string; role: string; n: number }>(
        "select auth.uid()::text as uid, current_user as role, (select count(*)::int from conversations) as n",
      );
    });
    expect(rows[0]).toEqual({ uid: USER_A, role: "authenticated", n: 1 });
    // Another user's verified token sees none of it.
    const other = await sessionFor(await auth.sign({ sub: USER_B }));
    const seen = await withClaims(db, other, (tx) => tx.query("select * from conversations"));
    expect(seen.rows).toHaveLength(0);
  });

  it("the operator claim comes from app_metadata.role and opens operator-only writes", async () => {
    const claims = await sessionFor(await auth.sign({ sub: OPERATOR, app_metadata: { role: "operator" } }));
    expect(isOperator(claims)).toBe(true);
    const res = await withClaims(db, claims, (tx) =>
      tx.query("update model_roles set model_tag = 'qwen2.5-coder:7b' where role = 'senior_developer' returning role"),
    );
    expect(res.rows).toHaveLength(1);
    const user = await sessionFor(await auth.sign({ sub: USER_A, user_metadata: { role: "operator" } }));
    expect(isOperator(user)).toBe(false); // user_metadata is user-editable and never counts
  });

  it("a password sign-in returns a session whose token verifies", async () => {
    const c = client();
    const { data, error } = await c.auth.signInWithPassword({ email: "op@example.test", password: "password-op" });
    expect(error).toBeNull();
    const claims = await sessionFor(data.session!.access_token);
    expect(claims?.sub).toBe(OPERATOR);
    expect(isOperator(claims)).toBe(true);
    const bad = await c.auth.signInWithPassword({ email: "op@example.test", password: "wrong-password" });
    expect(bad.error?.message).toMatch(/Invalid login credentials/);
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const token = await auth.sign({ sub: USER_A });
    const [h, , s] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: OPERATOR, role: "authenticated", app_metadata: { role: "operator" }, exp: Math.floor(Date.now() / 1000) + 600 })).toString("base64url");
    expect(await sessionFor(`${h}.${forged}.${s}`)).toBeNull();
  });

  it("refuses a token signed with another key under the same key id", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    expect(await sessionFor(await auth.sign({ sub: USER_A }, { key: privateKey }))).toBeNull();
  });

  it("refuses an expired token", async () => {
    expect(await sessionFor(await auth.sign({ sub: USER_A }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }))).toBeNull();
  });

  it("maps only well-formed authenticated claims", () => {
    expect(claimsFromVerifiedJwt({ sub: "not-a-uuid", role: "authenticated" })).toBeNull();
    expect(claimsFromVerifiedJwt({ sub: USER_A, role: "service_role" })).toBeNull();
    expect(claimsFromVerifiedJwt({ sub: USER_A, role: "authenticated" })).toMatchObject({ sub: USER_A, app_metadata: {} });
    expect(isOperator(LOCAL_OPERATOR_CLAIMS)).toBe(true);
  });
});
