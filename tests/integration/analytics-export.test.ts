/**
 * The export: operators only (the route's authorisation, and RLS behind it), the current
 * filters, every row exactly once across pages, feedback included, CSV that parses back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, OPERATOR, USER_A, USER_B, userClaims } from "../support/db";
import { withClaims } from "../../lib/db/session";
import type { Claims, Database, Queryable } from "../../lib/db/types";
import { createConversation } from "../../lib/db/queries/conversations";
import { finishInteraction, startInteraction } from "../../lib/db/queries/interactions";
import { recordFeedback } from "../../lib/db/queries/interaction-feedback";
import { authoriseExport, CSV_COLUMNS, exportStream, type ExportFormat } from "../../lib/analytics/export";
import type { Filters } from "../../lib/analytics/filters";
import { AppError } from "../../lib/errors";

let db: Database;
let moved = 0;
const operator = userClaims(OPERATOR, { operator: true });
const ALL: Filters = { range: "all", model: null, taskType: null };

beforeAll(async () => {
  db = await createTestDb();
  for (const [user, n] of [[USER_A, 25], [USER_B, 12]] as const) {
    const claims = userClaims(user);
    const conv = await withClaims(db, claims, (tx) => createConversation(tx, { title: "t" }));
    for (let i = 0; i < n; i++) {
      const model = i % 3 === 0 ? "mathstral" : "deepseek-coder:6.7b";
      const taskType = i % 2 === 0 ? "math" : "debugging";
      // The server records interactions (users cannot write them).
      const { id } = await db.transaction((tx) =>
        startInteraction(tx, { conversationId: conv.id, userId: user, prompt: i === 1 ? 'a "quoted", multi-line\nprompt' : `=HYPERLINK("x") ${i}`, taskType, routingDecision: { model }, modelUsed: model }),
      );
      await db.transaction((tx) =>
        finishInteraction(tx, {
          id,
          status: "completed",
          response: `answer ${i}`,
          modelUsed: model,
          routingDecision: { model, params: { temperature: 0.2, num_predict: 1024, num_ctx: 4096 }, attempts: [{ model, ok: true, reason: null, ms: 10 }] },
          responseTimeMs: 1000 + i,
        }),
      );
      if (i % 4 === 0) await withClaims(db, claims, (tx) => recordFeedback(tx, { id, rating: 5, feedback: { thumbs: "up", tags: ["great", "fast"] } }));
    }
  }
  // Older rows, outside the 24 h window.
  const { rows } = await db.query("update interactions set created_at = now() - interval '3 days' where user_prompt like '%HYPERLINK(\"x\") 2%' returning id");
  moved = rows.length;
});
afterAll(() => db?.close());

async function collect(claims: Claims, filters: Filters, format: ExportFormat, pageSize = 7): Promise<string> {
  const run = <T,>(fn: (tx: Queryable) => Promise<T>) => withClaims(db, claims, fn);
  const stream = exportStream({ run, filters, format, pageSize });
  return new Response(stream).text();
}

/** A small RFC 4180 parser, to check the CSV parses back to what went in. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  return rows;
}

describe("export authorisation", () => {
  it("refuses the signed-out and non-operators, lets operators through", () => {
    expect(() => authoriseExport(null)).toThrow(expect.objectContaining({ code: "unauthorized:auth", status: 401 }) as unknown as AppError);
    expect(() => authoriseExport({ isOperator: false })).toThrow(expect.objectContaining({ code: "forbidden:auth", status: 403 }) as unknown as AppError);
    expect(() => authoriseExport({ isOperator: true })).not.toThrow();
  });

  it("would still show a non-operator only their own rows (RLS behind the check)", async () => {
    const lines = (await collect(userClaims(USER_B), ALL, "jsonl")).trim().split("\n");
    expect(lines).toHaveLength(12);
    expect(new Set(lines.map((l) => JSON.parse(l).user_id))).toEqual(new Set([USER_B]));
  });
});

describe("export content", () => {
  it("JSONL: every interaction once, across pages, newest first, with feedback", async () => {
    const rows = (await collect(operator, ALL, "jsonl", 5)).trim().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(37);
    expect(new Set(rows.map((r) => r.id)).size).toBe(37);
    const times = rows.map((r) => Date.parse(r.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const rated = rows.filter((r) => r.success_rating === 5);
    expect(rated.length).toBe(7 + 3);
    expect(rated[0].feedback).toMatchObject({ thumbs: "up", tags: ["great", "fast"] });
    expect(rated[0].reward).toBe(1);
    expect(rows[0]).not.toHaveProperty("cursor");
  });

  it("CSV: a header, one record per interaction, fields that parse back", async () => {
    const table = parseCsv(await collect(operator, ALL, "csv"));
    expect(table[0]).toEqual([...CSV_COLUMNS]);
    expect(table).toHaveLength(38);
    const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    expect(table.some((r) => r[col("user_prompt")] === 'a "quoted", multi-line\nprompt')).toBe(true);
    expect(table.filter((r) => r[col("user_prompt")].startsWith("'=HYPERLINK")).length).toBe(35);
    const rated = table.filter((r) => r[col("success_rating")] === "5");
    expect(rated[0][col("tags")]).toBe("great;fast");
    expect(rated[0][col("thumbs")]).toBe("up");
    expect(table[1][col("temperature")]).toBe("0.2");
    expect(table[1][col("attempts")]).toMatch(/:ok$/);
  });

  it("follows the filters: model, task type and time range", async () => {
    const byModel = (await collect(operator, { ...ALL, model: "mathstral" }, "jsonl")).trim().split("\n").map((l) => JSON.parse(l));
    expect(byModel).toHaveLength(9 + 4);
    expect(new Set(byModel.map((r) => r.model_used))).toEqual(new Set(["mathstral"]));
    const both = (await collect(operator, { ...ALL, model: "mathstral", taskType: "math" }, "jsonl")).trim().split("\n").map((l) => JSON.parse(l));
    expect(both.every((r) => r.task_type === "math" && r.model_used === "mathstral")).toBe(true);
    expect(both.length).toBe(5 + 2);
    const recent = (await collect(operator, { ...ALL, range: "24h" }, "jsonl")).trim().split("\n");
    expect(moved).toBe(7); // prompts "… 2" and "… 20" to "… 24" of A, "… 2" of B
    expect(recent.length).toBe(37 - moved);
  });

  it("is empty (just the header) when nothing matches", async () => {
    expect(await collect(operator, { ...ALL, model: "nobody" }, "jsonl")).toBe("");
    expect(parseCsv(await collect(operator, { ...ALL, model: "nobody" }, "csv"))).toHaveLength(1);
  });
});
