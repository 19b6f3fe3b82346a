/**
 * Row-level security, table by table: every public table × select/insert/update/delete ×
 * anon/owner/other user/operator, allowed cases allowed and denied cases denied, then the
 * special cases the policies exist for. The matrix itself is declared in rls-matrix.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, OPERATOR, USER_A, USER_B, userClaims } from "../../tests/support/db";
import type { Claims, Database, Queryable } from "../../lib/db/types";
import {
  inRollback,
  insertSql,
  OPS,
  RLS_DENIED,
  ROLE_LABEL,
  ROLE_USER,
  ROLES,
  SPECS,
  sysInsert,
  sysRow,
  updateSql,
  type Op,
  type Role,
  type TableSpec,
} from "./rls-matrix";

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db?.close());

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function seed(sys: Queryable, spec: TableSpec) {
  const parents = (await spec.parents?.(sys)) ?? {};
  return { parents, key: await spec.fixture(sys, parents) };
}

const cases: Record<Op, (spec: TableSpec, role: Role, allowed: boolean) => Promise<void>> = {
  async select(spec, role, allowed) {
    const key = spec.key ?? "id";
    const seen = await inRollback(db, async (sys, as) => {
      const fixture = await seed(sys, spec);
      const { rows } = await as(role, (tx) =>
        tx.query(`select ${key} from public.${spec.table} where ${key} = $1`, [fixture.key]),
      );
      return rows.length;
    });
    expect(seen, allowed ? "row should be visible" : "row should be invisible").toBe(allowed ? 1 : 0);
  },

  async insert(spec, role, allowed) {
    const key = spec.key ?? "id";
    const { error, stored } = await inRollback(db, async (sys, as) => {
      const parents = (await spec.parents?.(sys)) ?? {};
      const row = spec.insertRow(parents, ROLE_USER[role]);
      const { sql, params } = insertSql(spec.table, row);
      let error: unknown = null;
      try {
        await as(role, (tx) => tx.query(sql, params));
      } catch (e) {
        error = e;
      }
      return { error, stored: await sysRow(sys, spec.table, key, String(row[key])) };
    });
    if (allowed) {
      expect(error === null ? null : errorMessage(error)).toBeNull();
      expect(stored, "inserted row should be stored").not.toBeNull();
    } else {
      expect(error, "insert should be refused").not.toBeNull();
      expect(errorMessage(error)).toMatch(RLS_DENIED);
      expect(stored, "refused row must not be stored").toBeNull();
    }
  },

  async update(spec, role, allowed) {
    const key = spec.key ?? "id";
    const { affected, before, after } = await inRollback(db, async (sys, as) => {
      const fixture = await seed(sys, spec);
      const before = await sysRow(sys, spec.table, key, fixture.key);
      const { sql, params } = updateSql(spec.table, key, spec.update, fixture.key);
      // A denied update either touches no row (RLS) or is refused outright (no UPDATE privilege).
      const affected = await as(role, (tx) => tx.query(sql, params)).then(
        ({ rows }) => rows.length,
        (e: unknown) => {
          if (allowed || !RLS_DENIED.test(errorMessage(e))) throw e;
          return 0;
        },
      );
      return { affected, before, after: await sysRow(sys, spec.table, key, fixture.key) };
    });
    expect(before).not.toBeNull();
    if (allowed) {
      expect(affected).toBe(1);
      expect(after).toMatchObject(spec.update);
    } else {
      expect(affected, "no row may be updated").toBe(0);
      expect(after, "row must be unchanged").toEqual(before);
    }
  },

  async delete(spec, role, allowed) {
    const key = spec.key ?? "id";
    const { affected, after } = await inRollback(db, async (sys, as) => {
      const fixture = await seed(sys, spec);
      const { rows } = await as(role, (tx) =>
        tx.query(`delete from public.${spec.table} where ${key} = $1 returning ${key}`, [fixture.key]),
      );
      return { affected: rows.length, after: await sysRow(sys, spec.table, key, fixture.key) };
    });
    if (allowed) {
      expect(affected).toBe(1);
      expect(after, "row should be gone").toBeNull();
    } else {
      expect(affected, "no row may be deleted").toBe(0);
      expect(after, "row must still be there").not.toBeNull();
    }
  },
};

describe("RLS matrix", () => {
  for (const spec of SPECS) {
    describe(spec.table, () => {
      for (const op of OPS) {
        for (const role of ROLES) {
          const allowed = spec.allow[op].includes(role);
          it(`${spec.table}: ${ROLE_LABEL[role]} ${allowed ? "can" : "cannot"} ${op}`, () =>
            cases[op](spec, role, allowed));
        }
      }
    });
  }

  it("covers every table and view in schema public, each with RLS enabled", async () => {
    const { rows } = await db.query<{ relname: string; relkind: string; relrowsecurity: boolean }>(
      `select c.relname, c.relkind::text as relkind, c.relrowsecurity
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
        order by c.relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual(SPECS.map((s) => s.table).sort());
    expect(rows.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
  });

  it("declares owner and other user differently only for user-owned tables", () => {
    for (const spec of SPECS) {
      const differs = OPS.some((op) => spec.allow[op].includes("owner") !== spec.allow[op].includes("other"));
      expect(differs, spec.table).toBe(spec.owned);
    }
  });
});

describe("server-written interactions", () => {
  const conversationOf = (sys: Queryable) => sysInsert(sys, "conversations", { user_id: USER_A, title: "mine" });

  it("a user cannot forge an experiment outcome: no insert into their own conversation, no change to a recorded column", async () => {
    const r = await inRollback(db, async (sys, as) => {
      const conversation = await conversationOf(sys);
      const experiment = (await sys.query<{ id: string }>("select gen_random_uuid()::text as id")).rows[0].id;
      const forged = await as("owner", (tx) =>
        tx.query(
          `insert into interactions (conversation_id, user_id, user_prompt, status, model_used, success_rating, experiment_id, experiment_arm)
           values ($1, $2, 'forged', 'completed', 'mathstral', 5, $3, 'variant')`,
          [conversation, USER_A, experiment],
        ),
      ).then(() => null, (e: unknown) => e);
      const id = await sysInsert(sys, "interactions", { conversation_id: conversation, user_id: USER_A, user_prompt: "real", status: "completed", model_used: "openhermes" });
      const changes: unknown[] = [];
      for (const set of ["status = 'failed'", "model_used = 'mathstral'", "experiment_arm = 'variant'", "response = 'rewritten'", "success_rating = 5", "feedback = '{\"auto\": {\"empty\": true}}'"]) {
        changes.push(await as("owner", (tx) => tx.query(`update interactions set ${set} where id = $1`, [id])).then(() => null, (e: unknown) => e));
      }
      const stored = (await sys.query<{ n: number }>("select count(*)::int as n from interactions where user_prompt = 'forged'")).rows[0].n;
      const after = (await sys.query<{ status: string; model_used: string; response: string | null; success_rating: number | null }>("select status, model_used, response, success_rating from interactions where id = $1", [id])).rows[0];
      return { forged, changes, stored, after };
    });
    expect(String(r.forged)).toMatch(RLS_DENIED);
    for (const e of r.changes) expect(String(e)).toMatch(RLS_DENIED);
    expect(r.stored).toBe(0);
    expect(r.after).toEqual({ status: "completed", model_used: "openhermes", response: null, success_rating: null });
  });

  it("feedback goes through give_feedback: the owner's keys are saved; server keys, bad values and others' answers are refused", async () => {
    const r = await inRollback(db, async (sys, as) => {
      const conversation = await conversationOf(sys);
      const id = await sysInsert(sys, "interactions", { conversation_id: conversation, user_id: USER_A, user_prompt: "q", status: "completed", feedback: { auto: { empty: false } } });
      const call = (who: Role, rating: number | null, feedback: unknown) =>
        as(who, (tx) => tx.query<{ id: string }>("select id from public.give_feedback($1, $2, $3::jsonb)", [id, rating, JSON.stringify(feedback)])).then(
          (res) => res.rows.length,
          (e: unknown) => String(e),
        );
      const own = await call("owner", 4, { thumbs: "up", taskType: "debugging" });
      const serverKey = await call("owner", null, { auto: { empty: true } });
      const badThumbs = await call("owner", null, { thumbs: "sideways" });
      const badType = await call("owner", null, { taskType: "poetry" });
      const other = await call("other", 1, { thumbs: "down" });
      const anon = await call("anon", 1, { thumbs: "down" });
      const row = (await sys.query<{ feedback: Record<string, unknown>; success_rating: number }>("select feedback, success_rating from interactions where id = $1", [id])).rows[0];
      return { own, serverKey, badThumbs, badType, other, anon, row };
    });
    expect(r.own).toBe(1);
    expect(r.serverKey).toMatch(/feedback key "auto" cannot be written by a user/);
    expect(r.badThumbs).toMatch(/thumbs must be up or down/);
    expect(r.badType).toMatch(/taskType must be one of the task types/);
    expect(r.other).toBe(0); // not theirs: nothing happens
    expect(String(r.anon)).toMatch(/permission denied|sign in/);
    expect(r.row.feedback).toEqual({ auto: { empty: false }, thumbs: "up", taskType: "debugging" });
    expect(r.row.success_rating).toBe(4);
  });
});

describe("knowledge learned from a user", () => {
  it("is read by its owner and operators only, until shared", async () => {
    const r = await inRollback(db, async (sys, as) => {
      const id = await sysInsert(sys, "knowledge_base", { topic: "private", content: "Question: q\n\nAnswer: a", source: "interaction_learning", content_hash: `h-${Date.now()}`, owner_id: USER_A });
      const sees = async (who: Role) => (await as(who, (tx) => tx.query("select 1 from knowledge_base where id = $1", [id]))).rows.length;
      const before = { owner: await sees("owner"), other: await sees("other"), operator: await sees("operator"), anon: await sees("anon") };
      await sys.query("update knowledge_base set owner_id = null where id = $1", [id]);
      return { before, otherAfterSharing: await sees("other") };
    });
    expect(r.before).toEqual({ owner: 1, other: 0, operator: 1, anon: 0 });
    expect(r.otherAfterSharing).toBe(1);
  });
});

describe("RLS special cases", () => {
  it("conversations: a user cannot create a conversation with someone else's user_id", async () => {
    const { error, stored, own } = await inRollback(db, async (sys, as) => {
      let error: unknown = null;
      try {
        await as("other", (tx) => tx.query("insert into conversations (user_id, title) values ($1, 'forged')", [USER_A]));
      } catch (e) {
        error = e;
      }
      const stored = (await sys.query("select 1 from conversations where title = 'forged'")).rows.length;
      // Without a user_id the row defaults to the caller, which is allowed.
      const own = await as("other", (tx) =>
        tx.query<{ user_id: string }>("insert into conversations (title) values ('mine') returning user_id"),
      );
      return { error, stored, own: own.rows[0].user_id };
    });
    expect(errorMessage(error)).toMatch(RLS_DENIED);
    expect(stored).toBe(0);
    expect(own).toBe(USER_B);
  });

  it("conversations: an owner cannot hand a conversation over to another user", async () => {
    const { error, after } = await inRollback(db, async (sys, as) => {
      const id = await sysInsert(sys, "conversations", { user_id: USER_A, title: "mine" });
      let error: unknown = null;
      try {
        await as("owner", (tx) => tx.query("update conversations set user_id = $1 where id = $2", [USER_B, id]));
      } catch (e) {
        error = e;
      }
      return { error, after: await sysRow(sys, "conversations", "id", id) };
    });
    expect(errorMessage(error)).toMatch(RLS_DENIED);
    expect(after).toMatchObject({ user_id: USER_A });
  });

  it("interactions: an owner cannot add an interaction to another user's conversation", async () => {
    const { error, stored } = await inRollback(db, async (sys, as) => {
      const theirs = await sysInsert(sys, "conversations", { user_id: USER_B, title: "B's" });
      let error: unknown = null;
      try {
        await as("owner", (tx) =>
          tx.query("insert into interactions (conversation_id, user_id, user_prompt) values ($1, $2, 'sneaky')", [
            theirs,
            USER_A,
          ]),
        );
      } catch (e) {
        error = e;
      }
      return { error, stored: (await sys.query("select 1 from interactions where conversation_id = $1", [theirs])).rows.length };
    });
    expect(errorMessage(error)).toMatch(RLS_DENIED);
    expect(stored).toBe(0);
  });

  it("interactions: an owner cannot move an interaction into another user's conversation", async () => {
    const { error, affected, mine, after } = await inRollback(db, async (sys, as) => {
      const mine = await sysInsert(sys, "conversations", { user_id: USER_A, title: "A's" });
      const theirs = await sysInsert(sys, "conversations", { user_id: USER_B, title: "B's" });
      const id = await sysInsert(sys, "interactions", { conversation_id: mine, user_id: USER_A, user_prompt: "hi" });
      let error: unknown = null;
      let affected = 0;
      try {
        const res = await as("owner", (tx) =>
          tx.query("update interactions set conversation_id = $1 where id = $2 returning id", [theirs, id]),
        );
        affected = res.rows.length;
      } catch (e) {
        error = e;
      }
      return { error, affected, mine, after: await sysRow(sys, "interactions", "id", id) };
    });
    expect(affected).toBe(0);
    expect(errorMessage(error)).toMatch(RLS_DENIED);
    expect(after?.conversation_id).toBe(mine);
  });

  it("conversations and interactions: operators read every user's, users only their own", async () => {
    const seen = await inRollback(db, async (sys, as) => {
      for (const user of [USER_A, USER_B]) {
        const c = await sysInsert(sys, "conversations", { user_id: user, title: `of ${user}` });
        await sysInsert(sys, "interactions", { conversation_id: c, user_id: user, user_prompt: `from ${user}` });
      }
      const users = (role: "owner" | "operator", table: string) =>
        as(role, (tx) => tx.query<{ user_id: string }>(`select distinct user_id from ${table} order by user_id`)).then(
          (r) => r.rows.map((x) => x.user_id),
        );
      return {
        operatorConversations: await users("operator", "conversations"),
        operatorInteractions: await users("operator", "interactions"),
        ownerConversations: await users("owner", "conversations"),
        ownerInteractions: await users("owner", "interactions"),
      };
    });
    expect(seen).toEqual({
      operatorConversations: [USER_A, USER_B],
      operatorInteractions: [USER_A, USER_B],
      ownerConversations: [USER_A],
      ownerInteractions: [USER_A],
    });
  });

  it("knowledge_base: pending entries are invisible to everyone but operators", async () => {
    const seen = await inRollback(db, async (sys, as) => {
      const id = await sysInsert(sys, "knowledge_base", {
        content: "proposed from feedback",
        source: "user_feedback",
        content_hash: "pending-entry",
        status: "pending",
      });
      const out: Record<string, number> = {};
      for (const role of ["anon", "owner", "other", "operator"] as const) {
        out[role] = (await as(role, (tx) => tx.query("select id from knowledge_base where id = $1", [id]))).rows.length;
      }
      return out;
    });
    expect(seen).toEqual({ anon: 0, owner: 0, other: 0, operator: 1 });
  });

  it("audit_log: an operator can only write entries as themselves", async () => {
    const { forged, own } = await inRollback(db, async (sys, as) => {
      let forged: unknown = null;
      try {
        await as("operator", (tx) =>
          tx.query("insert into audit_log (actor, action, target_type) values ($1, 'forged', 'test')", [USER_A]),
        );
      } catch (e) {
        forged = e;
      }
      await as("operator", (tx) =>
        tx.query("insert into audit_log (actor, action, target_type) values ($1, 'own', 'test')", [OPERATOR]),
      );
      const { rows } = await sys.query<{ action: string }>("select action from audit_log where target_type = 'test'");
      return { forged, own: rows.map((r) => r.action) };
    });
    expect(errorMessage(forged)).toMatch(RLS_DENIED);
    expect(own).toEqual(["own"]);
  });

  it("audit_log: not even the operator who wrote an entry can change or remove it", async () => {
    const { updated, deleted, after, before } = await inRollback(db, async (sys, as) => {
      const id = await sysInsert(sys, "audit_log", { actor: OPERATOR, action: "approve", target_type: "adaptation" });
      const before = await sysRow(sys, "audit_log", "id", id);
      const updated = await as("operator", (tx) =>
        tx.query("update audit_log set reason = 'rewritten', actor = $1 where id = $2 returning id", [OPERATOR, id]),
      );
      const deleted = await as("operator", (tx) => tx.query("delete from audit_log where actor = $1 returning id", [OPERATOR]));
      return { updated: updated.rows.length, deleted: deleted.rows.length, before, after: await sysRow(sys, "audit_log", "id", id) };
    });
    expect({ updated, deleted }).toEqual({ updated: 0, deleted: 0 });
    expect(after).toEqual(before);
  });

  it("config_versions: the immutability trigger stops operators even if a policy allowed the change", async () => {
    const { noPolicy, withPolicy, deleteWithPolicy, system } = await inRollback(db, async (sys, as) => {
      const id = await sysInsert(sys, "config_versions", { config: { prompts: {} }, summary: "v" });
      const noPolicy = (
        await as("operator", (tx) => tx.query("update config_versions set summary = 'x' where id = $1 returning id", [id]))
      ).rows.length;
      // Simulate a future policy mistake: the trigger is the second line of defence.
      await sys.exec(`create policy "test: operators may update" on public.config_versions
        for update to authenticated using ((select private.is_operator()))`);
      await sys.exec(`create policy "test: operators may delete" on public.config_versions
        for delete to authenticated using ((select private.is_operator()))`);
      const attempt = async (sql: string) => {
        try {
          await as("operator", (tx) => tx.query(sql, [id]));
          return "allowed";
        } catch (e) {
          return errorMessage(e);
        }
      };
      const withPolicy = await attempt("update config_versions set summary = 'x' where id = $1");
      const deleteWithPolicy = await attempt("delete from config_versions where id = $1");
      let system = "allowed";
      await sys.exec("savepoint sys_update");
      try {
        await sys.query("update config_versions set summary = 'x' where id = $1", [id]);
      } catch (e) {
        system = errorMessage(e);
      }
      await sys.exec("rollback to savepoint sys_update");
      return { noPolicy, withPolicy, deleteWithPolicy, system };
    });
    expect(noPolicy).toBe(0);
    expect(withPolicy).toMatch(/immutable/);
    expect(deleteWithPolicy).toMatch(/immutable/);
    expect(system).toMatch(/immutable/);
  });

  it("jobs: operators may only queue jobs with status 'queued'", async () => {
    const { running, queued } = await inRollback(db, async (sys, as) => {
      let running: unknown = null;
      try {
        await as("operator", (tx) => tx.query("insert into jobs (kind, status) values ('reembed', 'running')"));
      } catch (e) {
        running = e;
      }
      const queued = await as("operator", (tx) =>
        tx.query<{ status: string }>("insert into jobs (kind) values ('reembed') returning status"),
      );
      return { running, queued: queued.rows[0].status };
    });
    expect(errorMessage(running)).toMatch(RLS_DENIED);
    expect(queued).toBe("queued");
  });

  it("jobs: operators cannot delete a job that is queued or running", async () => {
    const { deleted, remaining } = await inRollback(db, async (sys, as) => {
      const ids = [
        await sysInsert(sys, "jobs", { kind: "reembed", status: "queued" }),
        await sysInsert(sys, "jobs", { kind: "reembed", status: "running" }),
      ];
      const deleted = await as("operator", (tx) => tx.query("delete from jobs where id = any($1::uuid[]) returning id", [ids]));
      const remaining = await sys.query("select id from jobs where id = any($1::uuid[])", [ids]);
      return { deleted: deleted.rows.length, remaining: remaining.rows.length };
    });
    expect(deleted).toBe(0);
    expect(remaining).toBe(2);
  });

  it("a role claimed in user_metadata (which users can edit) does not make an operator", async () => {
    const seen = await inRollback(db, async (sys, as) => {
      await sysInsert(sys, "adaptations", { kind: "parameters", title: "secret", fingerprint: "fp-meta" });
      const count = (who: Claims) =>
        as(who, (tx) => tx.query("select id from adaptations where fingerprint = 'fp-meta'")).then((r) => r.rows.length);
      return {
        selfPromoted: await count({ ...userClaims(USER_A), user_metadata: { role: "operator" } }),
        topLevelRole: await count({ ...userClaims(USER_A), role: "authenticated", app_role: "operator" }),
        operator: await count(userClaims(OPERATOR, { operator: true })),
      };
    });
    expect(seen).toEqual({ selfPromoted: 0, topLevelRole: 0, operator: 1 });
  });
  it("analytics rollups: a user's interaction, recorded by the server, updates them though the user can neither read nor call their writers", async () => {
    const r = await inRollback(db, async (sys, as) => {
      const conversation = await sysInsert(sys, "conversations", { user_id: USER_A, title: "rollup" });
      await sys.query("insert into interactions (conversation_id, user_id, user_prompt, model_used, task_type) values ($1, $2, 'p', 'rls-rollup-model', 'math')", [conversation, USER_A]);
      const system = await sys.query<{ n: number }>("select sum(interactions)::int as n from interaction_rollups where model = 'rls-rollup-model' and task_type = 'math'");
      const owner = await as("owner", (tx) => tx.query("select 1 from interaction_rollups where model = 'rls-rollup-model'"));
      const operator = await as("operator", (tx) => tx.query("select 1 from interaction_rollups where model = 'rls-rollup-model'"));
      let rebuild: unknown = null;
      try {
        await as("operator", (tx) => tx.query("select private.rebuild_analytics_rollups()"));
      } catch (e) {
        rebuild = e;
      }
      return { system: system.rows[0].n, owner: owner.rows.length, operator: operator.rows.length, rebuild };
    });
    expect(r).toMatchObject({ system: 2, owner: 0, operator: 4 }); // hour and day × math and all task types
    expect(errorMessage(r.rebuild)).toMatch(/permission denied/);
  });
});
