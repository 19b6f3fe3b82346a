import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startOrchestrator, identityOf } from "../support/orchestrator";
import { OPERATOR, USER_A } from "../support/db";
import { AppError } from "../../lib/errors";
import type { Identity } from "../../lib/auth";

/**
 * The Adaptations screen's server actions and the cron route, at the action level: the
 * embedded e2e always runs as the local operator, so refusing a non-operator is tested here.
 */
const who: { identity: Identity | null } = { identity: null };
const cron: { secret: string | undefined } = { secret: undefined };

vi.mock("@/lib/auth", () => ({
  requireOperator: async () => {
    if (!who.identity) throw new AppError("unauthorized:auth");
    if (!who.identity.isOperator) throw new AppError("forbidden:auth", "Only operators can do this.");
    return who.identity;
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("@/lib/config/env", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../lib/config/env")>();
  return { ...real, env: () => ({ ...real.parseEnv({}), cronSecret: cron.secret }) };
});

let env: Awaited<ReturnType<typeof startOrchestrator>>;
let proposalId = "";

beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());
beforeEach(async () => {
  const { rows } = await env.db.query<{ id: string }>(
    `insert into adaptations (kind, title, proposed_change, fingerprint, evidence)
     values ('system_prompt', 'Add an instruction', $1::jsonb, $2, '{"count": 3}'::jsonb) returning id`,
    [JSON.stringify({ type: "append_instruction", role: "lead_developer", taskType: "code_generation", instruction: "Be brief." }), `fp-${Math.random()}`],
  );
  proposalId = rows[0].id;
});

async function productionVersion() {
  const { rows } = await env.db.query<{ version: number }>("select v.version from config_labels l join config_versions v on v.id = l.version_id where l.label = 'production'");
  return rows[0].version;
}

describe("adaptation actions", () => {
  it("refuse a signed-in user who is not an operator, and change nothing", async () => {
    const { approveAction, rejectAction, startAbAction, rollbackAction, saveSettingsAction } = await import("../../app/(ops)/adaptations/actions");
    who.identity = identityOf(USER_A);
    const before = await productionVersion();
    for (const r of [
      await approveAction({ id: proposalId }),
      await rejectAction({ id: proposalId, reason: "not needed" }),
      await startAbAction({ id: proposalId }),
      await rollbackAction({ versionId: proposalId, reason: "why not" }),
      await saveSettingsAction({}),
    ]) {
      expect(r).toEqual({ error: "Only operators can do this." });
    }
    expect(await productionVersion()).toBe(before);
    const { rows } = await env.db.query<{ status: string }>("select status from adaptations where id = $1", [proposalId]);
    expect(rows[0].status).toBe("proposed");
    who.identity = null;
    expect(await approveAction({ id: proposalId })).toEqual({ error: "You need to sign in first." });
  });

  it("validate their input before acting", async () => {
    const { rejectAction, approveAction } = await import("../../app/(ops)/adaptations/actions");
    who.identity = identityOf(OPERATOR, true);
    expect((await rejectAction({ id: proposalId, reason: "" })).error).toMatch(/^reason: /);
    expect((await approveAction({ id: "not-a-uuid" })).error).toMatch(/^id: /);
  });

  it("let an operator approve and roll back, with the audit trail", async () => {
    const { approveAction, rollbackAction } = await import("../../app/(ops)/adaptations/actions");
    who.identity = identityOf(OPERATOR, true);
    const before = await productionVersion();
    const ok = await approveAction({ id: proposalId, reason: "looks right" });
    expect(ok.ok).toMatch(/^Approved: version \d+ is now in production\.$/);
    expect(await productionVersion()).toBeGreaterThan(before);
    const { rows } = await env.db.query<{ id: string }>("select id from config_versions where version = $1", [before]);
    const back = await rollbackAction({ versionId: rows[0].id, reason: "regressed" });
    expect(back.ok).toMatch(/^Rolled back/);
    const audit = await env.db.query<{ action: string; actor: string }>("select action, actor from audit_log where action in ('adaptation.approve', 'config.rollback') order by created_at");
    expect(audit.rows).toEqual([
      { action: "adaptation.approve", actor: OPERATOR },
      { action: "config.rollback", actor: OPERATOR },
    ]);
  });
});

describe("routing patterns on the Adaptations screen", () => {
  it("an operator shares one user's pattern with everyone, or retires it; a user cannot; the screen shows it", async () => {
    const { decidePatternAction } = await import("../../app/(ops)/adaptations/actions");
    const { loadAdaptationsView } = await import("../../lib/learning/view");
    const { patternAppliesTo } = await import("../../lib/domain");
    const { rows } = await env.db.query<{ id: string }>(
      `insert into learning_patterns (pattern_type, task_type, model_name, pattern_data, success_count, confidence_score)
       values ('routing', 'math', 'mathstral', $1::jsonb, 1, 0.67) returning id`,
      [JSON.stringify({ teachers: [USER_A], exemplars: [] })],
    );
    const id = rows[0].id;
    const data = async () => (await env.db.query<{ d: { approved?: boolean; teachers: string[] }; status: string }>("select pattern_data as d, status from learning_patterns where id = $1", [id])).rows[0];
    expect(patternAppliesTo((await data()).d, OPERATOR)).toBe(false);
    expect((await loadAdaptationsView()).patterns.find((p) => p.id === id)).toMatchObject({ shared: false, teachers: 1, model: "mathstral" });

    who.identity = identityOf(USER_A);
    expect((await decidePatternAction({ id, decision: "share" })).error).toMatch(/Only operators/);
    expect((await data()).d.approved).toBeUndefined();

    who.identity = identityOf(OPERATOR, true);
    expect((await decidePatternAction({ id, decision: "promote" })).error).toMatch(/^decision: /);
    expect((await decidePatternAction({ id, decision: "share", reason: "good for everyone" })).ok).toMatch(/everyone/);
    expect(patternAppliesTo((await data()).d, OPERATOR)).toBe(true);
    expect((await loadAdaptationsView()).patterns.find((p) => p.id === id)).toMatchObject({ shared: true, approved: true });
    expect((await decidePatternAction({ id, decision: "retire" })).ok).toMatch(/retired/);
    expect((await data()).status).toBe("retired");
    expect((await loadAdaptationsView()).patterns.find((p) => p.id === id)).toBeUndefined();
    const audit = await env.db.query<{ action: string; actor: string }>("select action, actor from audit_log where target_id = $1 order by created_at", [id]);
    expect(audit.rows).toEqual([{ action: "pattern.share", actor: OPERATOR }, { action: "pattern.retire", actor: OPERATOR }]);
    expect((await decidePatternAction({ id: crypto.randomUUID(), decision: "share" })).error).toMatch(/does not exist/);
    who.identity = null;
  });
});

describe("the cron route", () => {
  const call = async (auth?: string) => {
    const { POST } = await import("../../app/api/cron/learning/route");
    return POST(new Request("http://localhost/api/cron/learning", { method: "POST", headers: auth ? { authorization: auth } : {} }));
  };
  const callJobs = async (auth?: string) => {
    const { POST } = await import("../../app/api/cron/jobs/route");
    return POST(new Request("http://localhost/api/cron/jobs", { method: "POST", headers: auth ? { authorization: auth } : {} }));
  };

  it("answers 503 while CRON_SECRET is unset, on both cron routes alike", async () => {
    cron.secret = undefined;
    expect((await call("Bearer anything-at-all-here")).status).toBe(503);
    expect((await callJobs("Bearer anything-at-all-here")).status).toBe(503);
  });

  it("checks the secret the same way on both routes (scheme case-insensitive, exact secret)", async () => {
    cron.secret = "a-cron-secret-of-some-length";
    for (const route of [call, callJobs]) {
      expect((await route("Basic a-cron-secret-of-some-length")).status).toBe(401);
      expect((await route("Bearer a-cron-secret-of-some-lengt")).status).toBe(401);
    }
    expect((await callJobs("bearer a-cron-secret-of-some-length")).status).toBe(200);
  });

  it("answers 401 without the secret or with a wrong one, and runs the analysis with it", async () => {
    cron.secret = "a-cron-secret-of-some-length";
    expect((await call()).status).toBe(401);
    expect((await call("Bearer a-cron-secret-of-some-lengtX")).status).toBe(401);
    const res = await call("Bearer a-cron-secret-of-some-length");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { analysis: { interactions: number } | null };
    expect(body.analysis).not.toBeNull();
    const { rows } = await env.db.query<{ value: { by: string } }>("select value from app_settings where key = 'learning.last_analysis'");
    expect(rows[0].value.by).toBe("cron");
  });
});
