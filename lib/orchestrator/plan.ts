import "server-only";
import type { RoutingPatternRow } from "@/lib/db/queries/learning";
import { matchRoutingPattern } from "@/lib/learning/patterns";
import { estimateTokens, type ChatMessage } from "@/lib/ollama";
import { learningState } from "@/lib/learning/store";
import type { PolicyCandidate } from "@/lib/learning/policy";
import { decideRoute } from "@/lib/learning/route-decision";
import { chooseParams, type ParamArm } from "@/lib/learning/params";
import { answeredRecently, learnedBudget } from "@/lib/learning/latency-store";
import { predictFailure } from "@/lib/learning/failure-store";
import { NOTABLE_AT } from "@/lib/learning/failure-model";
import type { Budget } from "@/lib/learning/latency-budget";
import { seededRng, type Rng } from "@/lib/learning/random";
import { defaultModelChain, fitsContext, type Role, type TaskType } from "@/lib/domain";
import { classifyRequest, embedRequest, type RequestClassification, type RequestEmbeddings } from "./classify-request";
import { classifyInConversation, isFollowUp, withPrevious } from "@/lib/learning/request-in-conversation";
import { taskClassifier } from "@/lib/learning/shipped-task-classifier";
import type { Vote } from "@/lib/learning/ensemble";
import type { DrawnArm } from "@/lib/learning/propensity";
import { sameModel } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { resolveConfig, type ResolvedConfig } from "@/lib/learning/active-config";
import { promptOf } from "@/lib/learning/proposals";
import { modelAvailability } from "./availability";
import { hasCapability } from "./capabilities";
import { KNOWLEDGE_QUERY_CHARS, retrieveKnowledge } from "./retrieve-knowledge";
import { knowledgeToRetrieve } from "@/lib/knowledge/presence";
import { fitKnowledge, knowledgeBudget, type GroundingChunk } from "@/lib/knowledge/grounding";

/** At most this many models try one request (the primary and two fallbacks). */
export const MAX_ATTEMPTS = 3;

export interface PlannedModel {
  model: string;
  role: Role | null;
  system: string;
  params: { temperature: number; num_predict: number; num_ctx: number };
  armId: string | null;
  promptTokens: number;
  /** Knowledge chunks put into this model's system prompt (fitted to its context window). */
  knowledge: { id: string; topic: string; score: number }[];
  /** the model was not loaded when planned: its answer starts with loading it */
  cold: boolean;
  /** time-outs learned from this model's own latency for a cold or warm start (null: the defaults) */
  budget: Budget | null;
}

export interface Plan {
  taskType: TaskType;
  confidence: number;
  voters: RequestClassification["voters"];
  /** classified with the user's request before it (a follow-up) */
  followUp: boolean;
  /** the router model was asked and not heard (RequestClassification.routerMissed) */
  routerMissed?: RequestClassification["routerMissed"];
  votes: Vote[];
  /** the request's embedding as it is meant (a follow-up's with the request before it), when the plan waited for it (see `embed`) */
  embedding: number[] | null;
  /**
   * The request's embeddings, its own words' and as it is meant (lib/orchestrator/classify-request.ts
   * RequestEmbeddings; one call to the embedding model, however often it is asked). A
   * routed plan, or one with knowledge to ground in, started it before routing. A plan for a
   * named model with nothing to ground in did not: the model is asked at once, and the call
   * starts when the chat asks for it, once the first token is out (recording and learning
   * take it after the answer), so it never competes with the answer's start.
   */
  embed: () => Promise<RequestEmbeddings | null>;
  embeddingModel: string;
  reason: "policy" | "pattern" | "rule" | "forced" | "regenerate";
  explored: boolean;
  means?: Record<string, number>;
  /**
   * The learned policy's draw, when it chose the model: what it chose among (for the chance
   * of that choice, lib/learning/propensity.ts) and the role table's first available model
   * for the task type (what the dashboard judges the table by, lib/learning/off-policy.ts), and
   * the models its failure prediction weighed against notably.
   */
  draw?: { model: string; arms: DrawnArm[]; table: string | null; failing: { model: string; risk: number }[] };
  pattern: (RoutingPatternRow & { closerThan: number }) | null;
  /** the model an approved routing rule preferred when a learned pattern took precedence over it */
  overrodeRule: string | null;
  chain: PlannedModel[];
  skipped: { model: string; reason: string }[];
  config: ResolvedConfig;
  /** Ollama hosts that answered; 0 means Ollama is down (or OLLAMA_HOST is wrong). */
  hostsUp: number;
  /** Relevant knowledge retrieved for the request (before fitting it to each model). */
  retrieved: GroundingChunk[];
}

function fitParams(arm: ParamArm, promptTokens: number, contextLength: number): PlannedModel["params"] {
  // Room for the prompt and the answer, never beyond what the model can hold.
  const wanted = Math.max(arm.num_ctx, promptTokens + arm.num_predict);
  const num_ctx = Math.min(contextLength, 2 ** Math.ceil(Math.log2(wanted)));
  return { temperature: arm.temperature, num_predict: Math.min(arm.num_predict, Math.max(256, num_ctx - promptTokens)), num_ctx };
}

export async function planRequest(input: {
  /** what experiments assign arms by (lib/learning/assign.ts): the conversation, or an API client's chat */
  experimentUnit: string;
  /** whose request it is: grounding uses only the knowledge they may read */
  userId: string;
  prompt: string;
  history: ChatMessage[];
  forcedModel?: string;
  regenerate?: boolean;
  /** the request carries tools: only models Ollama says support them may answer */
  needsTools?: boolean;
  signal?: AbortSignal;
  rng?: Rng;
}): Promise<Plan> {
  const rng = input.rng ?? seededRng((Date.now() ^ (Math.random() * 2 ** 31)) >>> 0);
  const [roster, config] = await Promise.all([currentRoster(), resolveConfig({ experimentUnit: input.experimentUnit })]);
  const routed = roster.routed;
  const availability = await modelAvailability([...routed.map((r) => r.model), roster.embedding, ...(input.forcedModel ? [input.forcedModel] : [])]);
  // When the client named the model, the task type only labels the outcome for learning: the
  // cheap voters decide it, and the router model's slots stay free for answers.
  // The embedding feeds the neighbours, the patterns and the knowledge: retrieval starts as
  // soon as it is there, alongside the classification's own reads.
  const previous = input.history.findLast((m) => m.role === "user")?.content ?? null;
  // Read first, with no call: whether the request is a follow-up decides what is embedded.
  const reading = classifyInConversation(taskClassifier(), input.prompt, previous);
  const followUp = isFollowUp(reading) ? previous : null;
  let embeddingCall: Promise<RequestEmbeddings | null> | null = null;
  const embed = () => (embeddingCall ??= embedRequest(input.prompt, followUp, roster, availability, input.signal));
  // A named model needs no routing: unless knowledge is to be retrieved with the embedding,
  // it is asked at once, labelled by the voters that need no embedding (the neighbours' vote
  // waits for one: the embedding model's round trip and two index reads, most of what the
  // request path adds before the first token).
  const waitForEmbedding = !input.forcedModel || (await knowledgeToRetrieve().catch(() => true));
  const planEmbedding = waitForEmbedding ? embed().then((e) => e?.request ?? null) : Promise.resolve(null);
  // A follow-up's knowledge is its conversation's ("show me the config" after a question on pooling).
  const query = followUp ? withPrevious(input.prompt, followUp, KNOWLEDGE_QUERY_CHARS) : input.prompt;
  const retrieving = planEmbedding.then((e) => retrieveKnowledge(query, e, roster.embedding, input.userId));
  retrieving.catch(() => {}); // awaited below; an earlier failure must not leave it unhandled
  const cls = await classifyRequest({ prompt: input.prompt, previous, reading, roster, availability, embedded: planEmbedding, signal: input.signal, askRouter: !input.forcedModel });
  const state = await learningState();
  const now = Date.now();

  const withoutTools = new Set<string>();
  if (input.needsTools) for (const { model } of routed) if (!(await hasCapability(model, "tools"))) withoutTools.add(model);
  /** The request's size as a model would take it (its role's system prompt, the history, the prompt), before any knowledge is added; per role. */
  const promptTokensByRole = new Map<Role | null, number>();
  const basePromptTokensOf = (model: string) => {
    const role = roster.roleOf(model);
    let tokens = promptTokensByRole.get(role);
    if (tokens === undefined) {
      tokens = estimateTokens([promptOf(config.config, role, cls.taskType), ...input.history.map((m) => m.content), input.prompt].join("\n"));
      promptTokensByRole.set(role, tokens);
    }
    return tokens;
  };
  /** Must be loaded before it answers: not loaded on any host, and not answered with lately. */
  const coldOf = (model: string) => !availability.loaded(model) && !answeredRecently(model);
  const candidates: PolicyCandidate[] = await Promise.all(
    routed.map(async ({ model, role }) => {
      const available = availability.has(model) && !withoutTools.has(model);
      // How likely it is to fail to answer at all (errors and time-outs are not in the posteriors).
      const failureRisk = available ? (await predictFailure(model, { taskType: cls.taskType, promptTokens: basePromptTokensOf(model), cold: coldOf(model) })).p : undefined;
      return { model, role, loaded: availability.loaded(model), available, failureRisk };
    }),
  );

  let pattern: Plan["pattern"] = null;
  if (!input.forcedModel && cls.embedding) {
    // A pattern serves the user who taught it, and everyone once several users agree (or an operator approved it).
    pattern = await matchRoutingPattern({ embedding: cls.embedding, embeddingModel: roster.embedding, taskType: cls.taskType, taskProbabilities: cls.taskProbabilities, followUp: cls.followUp, userId: input.userId, available: (m) => availability.has(m) });
  }
  const retrieved = await retrieving;
  // An approved routing rule (config.routing[taskType].prefer) applies where no pattern does.
  const rule = (config.config.routing as Record<string, { prefer?: string }> | undefined)?.[cls.taskType]?.prefer ?? null;
  const priorsChain = defaultModelChain(cls.taskType, roster.roles);
  const route = decideRoute({
    taskType: cls.taskType,
    candidates,
    policy: state.policy,
    fallback: state.fallback,
    priorsChain,
    context: cls.context,
    forced: input.forcedModel ? { model: input.forcedModel, regenerate: Boolean(input.regenerate) } : null,
    pattern: pattern ? { model: pattern.model_name } : null,
    rule,
    rng,
    now,
    same: sameModel,
  });
  const { reason, explored, means } = route;
  // The role table's choice, spelled as the candidates are (the draw names them so).
  const table = priorsChain.flatMap((m) => candidates.filter((c) => c.available && sameModel(c.model, m)).map((c) => c.model))[0] ?? null;
  const failing = candidates.flatMap((c) => (c.available && (c.failureRisk ?? 0) >= NOTABLE_AT ? [{ model: c.model, risk: c.failureRisk! }] : []));
  const draw = route.drawn && route.primary ? { model: route.primary, arms: route.drawn, table, failing } : undefined;
  if (route.reason !== "pattern") pattern = null;
  // Said in "Why this model?": a learned pattern outranked what an operator approved.
  const overrodeRule = pattern && rule && availability.has(rule) && !sameModel(rule, pattern.model_name) ? rule : null;

  const skipped: Plan["skipped"] = [];
  for (const c of candidates) if (!c.available) skipped.push({ model: c.model, reason: withoutTools.has(c.model) ? "does not support tools" : "not installed or no host answers" });
  const ordered = route.order;

  const chain: PlannedModel[] = [];
  // Models predicted to fail wait behind the others (lib/learning/failure-model.ts).
  const later: PlannedModel[] = [];
  const doubted: PlannedModel[] = [];
  // The model the user chose, or that a pattern or an approved rule chose, is asked first
  // whatever the prediction: the decision says why it was chosen, and it must be what answers
  // first (a failure still hands over to the next model).
  const chosenFirst = Boolean(input.forcedModel) || reason === "pattern" || reason === "rule";
  for (const [i, model] of ordered.entries()) {
    if (chain.length >= MAX_ATTEMPTS) break;
    const role = roster.roleOf(model);
    const baseSystem = promptOf(config.config, role, cls.taskType);
    const basePromptTokens = basePromptTokensOf(model);
    const contextLength = await availability.contextLength(model);
    if (!fitsContext(basePromptTokens, contextLength)) {
      skipped.push({ model, reason: `prompt of ~${basePromptTokens} tokens exceeds its ${contextLength}-token window` });
      continue;
    }
    const fixed = config.config.params?.[model]?.[cls.taskType];
    const choice = chooseParams({ model, taskType: cls.taskType, state: state.params, rng, now });
    const arm: ParamArm = fixed ? { ...choice.arm, ...fixed, id: "config" } : choice.arm;
    const window = contextLength ?? arm.num_ctx * 4;
    const grounding = fitKnowledge(retrieved, knowledgeBudget({ contextLength: window, promptTokens: basePromptTokens, answerTokens: Math.min(arm.num_predict, 1024) }));
    const promptTokens = basePromptTokens + grounding.tokens;
    const cold = coldOf(model);
    const planned: PlannedModel = {
      model,
      role,
      cold,
      budget: await learnedBudget(model, cold),
      system: baseSystem + grounding.text,
      params: fitParams(arm, promptTokens, window),
      armId: fixed ? null : arm.id,
      promptTokens,
      knowledge: grounding.used,
    };
    const failure = chosenFirst && i === 0 ? null : await predictFailure(model, { taskType: cls.taskType, promptTokens, cold });
    if (failure?.verdict === "skip") {
      skipped.push({ model, reason: `predicted to fail (${Math.round(failure.p * 100)}%: it has been failing on requests like this)` });
      doubted.push(planned);
    }
    else if (failure?.verdict === "later") later.push(planned);
    else chain.push(planned);
  }
  for (const p of later) if (chain.length < MAX_ATTEMPTS) chain.push(p);
  // Never plan nothing because of a prediction: the first doubted model still gets its chance.
  if (chain.length === 0 && doubted.length) {
    chain.push(doubted[0]);
    skipped.splice(skipped.findIndex((x) => x.model === doubted[0].model), 1);
  }

  const { context: _usedByTheRoute, ...classified } = cls;
  return { ...classified, embed, embeddingModel: roster.embedding, reason, explored, means, ...(draw ? { draw } : {}), pattern, overrodeRule, chain, skipped, config, hostsUp: availability.hostsUp, retrieved };
}
