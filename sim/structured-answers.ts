/**
 * What the simulated models answer when asked for structure: a JSON object for a `format`
 * schema (a router classification among them) and the arguments of a tool call. Stand-ins
 * that read no schema's meaning: plausible values of the right types.
 */
import { cosine, simEmbed } from "./embed";
import { TASK_TYPES } from "./models";
import { pick, rng } from "./random";
import { classifyPrompt, subject } from "./answers";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  required?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  description?: string;
};

/**
 * A plausible object for a JSON schema given as `format`. An enum whose values include task
 * types is answered by the keyword classifier (or, for a bad answer, a wrong type), so a
 * router classification through the simulator is meaningful; a text field asked of a prompt
 * that lists items quotes the most typical item ({@link typicalItem}).
 */
export function jsonForSchema(schema: JsonSchema, ctx: { prompt: string; good: boolean; seed: number }): unknown {
  const r = rng(ctx.seed);
  let gist: string | null | undefined;
  const gen = (s: JsonSchema, key: string): unknown => {
    if (s.enum?.length) {
      const values = s.enum;
      const taskish = values.filter((v): v is string => typeof v === "string" && (TASK_TYPES as readonly string[]).includes(v));
      if (taskish.length) {
        const t = classifyPrompt(ctx.prompt);
        const right = taskish.includes(t) ? t : taskish.includes("general") ? "general" : taskish[0];
        if (ctx.good) return right;
        const wrong = taskish.filter((v) => v !== right);
        return wrong.length ? pick(wrong, r) : right;
      }
      return values[0];
    }
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
    switch (type ?? (s.properties ? "object" : "string")) {
      case "object": {
        const out: Record<string, unknown> = {};
        for (const [k, sub] of Object.entries(s.properties ?? {})) out[k] = gen(sub, k);
        return out;
      }
      case "array":
        return s.items ? [gen(s.items, key)] : [];
      case "number":
      case "integer": {
        const lo = s.minimum ?? 0;
        const hi = s.maximum ?? (/confidence|probability|score/i.test(key) ? 1 : 10);
        const x = /confidence|probability/i.test(key) ? (ctx.good ? 0.7 + r() * 0.25 : 0.35 + r() * 0.3) : lo + r() * (hi - lo);
        return type === "integer" ? Math.round(x) : Math.round(x * 100) / 100;
      }
      case "boolean":
        return ctx.good;
      default: {
        if (/reason|explanation|rationale|summary/i.test(key)) return `The request mentions ${subject(ctx.prompt).join(", ")}.`;
        if (gist === undefined) gist = typicalItem(ctx.prompt); // once per answer, however many text fields
        return gist ? gist.slice(0, s.maxLength ?? 200) : subject(ctx.prompt).join(" ");
      }
    }
  };
  return gen(schema, "");
}

/**
 * The gist of a prompt that lists items ("- …" lines): the item nearest the others in the
 * simulated embedding, as an extractive summary would pick it. A stand-in for a model asked to
 * name or sum up what a list says: it reads no meaning, it only quotes the most typical item.
 */
export function typicalItem(prompt: string): string | null {
  const items = prompt.split("\n").map((l) => /^\s*[-*•]\s+(.+)$/.exec(l)?.[1]?.trim()).filter((l): l is string => Boolean(l));
  if (items.length < 2) return null;
  const vectors = items.map((t) => simEmbed(t));
  const centrality = vectors.map((v) => vectors.reduce((sum, u) => sum + cosine(u, v), 0));
  return items[centrality.indexOf(Math.max(...centrality))];
}

/** Whether a `format` schema asks for a task type (a router classification). */
export function isClassificationSchema(schema: unknown): boolean {
  const walk = (s: unknown): boolean => {
    if (!s || typeof s !== "object") return false;
    const o = s as JsonSchema;
    if (o.enum?.some((v) => typeof v === "string" && (TASK_TYPES as readonly string[]).includes(v))) return true;
    return Object.values(o.properties ?? {}).some(walk) || walk(o.items);
  };
  return walk(schema);
}

/**
 * Arguments for a tool call: each required property of the schema with a value of its type
 * (a string property gets the request's first words). A stand-in: no model reads the schema.
 */
export function argumentsFor(schema: unknown, prompt: string): Record<string, unknown> {
  const sch = (schema && typeof schema === "object" ? schema : {}) as { required?: unknown; properties?: Record<string, { type?: unknown; enum?: unknown[] }> };
  const props = sch.properties ?? {};
  const required = Array.isArray(sch.required) ? (sch.required as string[]) : Object.keys(props).slice(0, 1);
  const out: Record<string, unknown> = {};
  for (const name of required) {
    const p = props[name] ?? {};
    const type = Array.isArray(p.type) ? p.type[0] : p.type;
    out[name] = Array.isArray(p.enum) && p.enum.length ? p.enum[0] : type === "number" || type === "integer" ? 1 : type === "boolean" ? true : type === "array" ? [] : type === "object" ? {} : prompt.split(/\s+/).slice(0, 6).join(" ");
  }
  return out;
}
