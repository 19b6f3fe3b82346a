import "server-only";
import { env } from "@/lib/config/env";
import { asSystemStatement, asUrgentStatement } from "@/lib/db";
import { randomUUID } from "node:crypto";
import { checkpointInteraction, finishInteraction, getInteraction } from "@/lib/db/queries/interactions";
import { recordRequestEmbedding } from "@/lib/db/queries/request-embeddings";
import { afterFirstToken } from "./after-first-token";
import { checkpointed } from "./checkpoint";
import { recordStart, type RecordedRequest } from "./record-start";
import type { PreparedChat } from "./prepare-chat";
import { learnFromFollowUp } from "@/lib/learning/implicit-feedback";
import type { Decision, RunEvent } from "@/lib/chat/events";
import { planRequest, type Plan } from "./plan";
import { runChain } from "./run";
import type { Rng } from "@/lib/learning/random";
import { learnFromRun, learnInBackground } from "./learn";
import { decisionOf, emptyDecision } from "./decision-of";
import { experimentUnit } from "./experiment-unit";
import { conversationOf, type ConversationOfRequest } from "./api-thread";
import { stepsFrom } from "./steps-from";
import { toolCallAnswer } from "@/lib/chat/tool-call-answer";
import { answerUnderWay } from "@/lib/learning/outcome-batch";

/**
 * Answers a prepared request as a stream of events. The interaction is written before the
 * first token and completed after the last (or after the last failure), so every outcome is
 * recorded; the learning then takes it in. No database transaction is held while a model runs.
 * Until the client has its answer, the answer is under way: what answers teach is written in a
 * quiet moment (lib/learning/outcome-batch.ts), not while this one starts or streams.
 */
export async function* streamChat(
  p: PreparedChat,
  signal: AbortSignal,
  opts: { rng?: Rng } = {}, // tests and the replay benchmark fix the routing's randomness
): AsyncGenerator<RunEvent> {
  const underWay = answerUnderWay();
  let learning: Promise<void>;
  try {
    ({ learning } = yield* answer(p, signal, opts));
  } finally {
    underWay();
  }
  await learning; // whoever reads the run to its end has it learned
}

/** The answer's events; returns its learning, still going (in an object: an async generator would await a promise it returned). */
async function* answer(p: PreparedChat, signal: AbortSignal, opts: { rng?: Rng }): AsyncGenerator<RunEvent, { learning: Promise<void> }> {
  const t0 = performance.now();
  // A new conversation is written with the interaction, in one transaction (recordStart). An
  // API client's follow-up continues the conversation of the answer it sent back, found while
  // the request is planned and the model starts: nothing before the model waits for it.
  const newConversationId = randomUUID();
  const conversation = conversationOf(p, newConversationId);

  let plan: Plan;
  try {
    plan = await planRequest({
      experimentUnit: experimentUnit({ ...p, newConversationId, userId: p.identity.userId }),
      userId: p.identity.userId,
      prompt: p.prompt,
      history: p.history,
      forcedModel: p.forcedModel,
      regenerate: Boolean(p.regenerateOf) && p.forcedModel === p.regenerateOf?.model_used,
      needsTools: Boolean(p.tools?.length),
      signal,
      rng: opts.rng,
    });
  } catch (e) {
    // Even when nothing can be planned (Ollama down, database trouble), the request is kept.
    const message = `The models could not be reached: ${e instanceof Error ? e.message : String(e)}. Check Ollama on Settings.`;
    yield* recordUnanswered(p, await conversation, t0, { decision: emptyDecision(), message });
    return { learning: Promise.resolve() };
  }

  if (plan.chain.length === 0) {
    const message =
      plan.hostsUp === 0
        ? `No Ollama host answers (${env().ollamaHosts.join(", ")}). Start Ollama with \`ollama serve\` or fix OLLAMA_HOST, then send again — see Settings.`
        : plan.skipped.length > 0
        ? `No model can take this request: ${plan.skipped.map((s) => `${s.model} (${s.reason})`).join("; ")}. Pull the missing models or start Ollama — see Settings.`
        : "No model is configured. Set the roster on Settings.";
    yield* recordUnanswered(p, await conversation, t0, { decision: decisionOf(plan, [], ""), message, plan });
    return { learning: Promise.resolve() };
  }

  const first = decisionOf(plan, [], plan.chain[0].model);
  // The request is recorded while the first model starts (one transaction, concurrently);
  // no token reaches the client before the row exists (checkpointed waits for it), so no
  // answer goes unrecorded, and recording adds nothing to the time to the first token.
  const row = { id: randomUUID() };
  const recorded = conversation.then((c) =>
    recordStart(requestOf(p, c), {
      id: row.id,
      taskType: plan.taskType,
      routingDecision: first,
      modelUsed: plan.chain[0].model,
      configVersionId: plan.config.versionId,
      experimentId: plan.config.experiment?.id,
      experimentArm: plan.config.experiment?.arm,
    }),
  );
  const run = afterFirstToken(
    checkpointed(
      runChain({ plan, prompt: p.prompt, history: p.history, tail: p.tail, tools: p.tools, format: p.format, think: p.think, limits: p.limits, signal }),
      (text) => asSystemStatement((q) => checkpointInteraction(q, { id: row.id, response: text })),
      { ready: recorded },
    ),
    // The client has the first token: a named model's embedding, not needed before it, starts now.
    () => void plan.embed().catch(() => {}),
  );
  // The model is asked now; the conversation the start names may still be being looked up.
  const firstStep = run.next();
  firstStep.catch(() => {}); // awaited below (stepsFrom): a failure while the start is sent must not count as unhandled
  let started = false;
  try {
    const c = await conversation;
    yield { type: "start", interactionId: row.id, conversationId: c.id, parentId: c.parentId ?? null, decision: first };
    started = true;
  } finally {
    if (!started) await firstStep.then(() => run.return(undefined as never), () => {}); // the client left before the start
  }
  const outcome = yield* stepsFrom(firstStep, run);
  const decision = decisionOf(plan, outcome.attempts, outcome.model ?? plan.chain[0].model, { finished: true });
  const responseTimeMs = performance.now() - t0;
  // A named model's plan may not have waited for the embedding: recording and learning do.
  const embeddings = await plan.embed();
  const settled: Plan = { ...plan, embedding: embeddings?.request ?? null };
  // The answer's end waits for this and the embedding: they go before the statements queued on an embedded database.
  await asUrgentStatement((q) =>
    finishInteraction(q, {
      id: row.id,
      status: outcome.status,
      // An answer that only called functions is kept as those calls.
      response: outcome.response || (outcome.toolCalls ? toolCallAnswer(outcome.toolCalls) : ""),
      modelUsed: outcome.model,
      routingDecision: decision,
      responseTimeMs,
      promptTokens: outcome.promptTokens,
      completionTokens: outcome.completionTokens,
      error: outcome.error ?? undefined,
      feedback: { auto: outcome.auto ?? undefined },
    }),
  );
  // The request's embedding, in a statement of its own (its vector index's insertion is most of
  // what recording costs; apart, nothing said of the answer later inserts it again). Before the
  // answer's end, not after: written after, it ran beside the next request of a client that
  // sends them one after another (PostgreSQL, bench:api: 1.7 ms more to the routed first token).
  if (settled.embedding) await keepEmbedding(row.id, settled.embedding, plan.embeddingModel);
  // What the answer teaches is learned after the client has it: the recorded row is complete,
  // so `done` waits for nothing else (the stream may end there; the learning still finishes).
  // A client's housekeeping teaches nothing about answering users (lib/domain/client-task.ts).
  const learning = p.clientTask ? Promise.resolve() : learnInBackground(async () => {
    const { again } = await conversation;
    const regenerated = p.regenerateOf ?? (again ? await asSystemStatement((q) => getInteraction(q, { id: again.id })) : null);
    await learnFromRun({ plan: settled, outcome, responseTimeMs, regenerateOf: regenerated, interactionId: row.id, userId: p.identity.userId }).catch((e) => console.error("learning update failed", e));
    // The same question again was read as a follow-up of the answer before it the first time.
    const previous = again ? null : await p.previous;
    if (previous) {
      // What the message itself says (thanks, "still failing", the question again): its own words.
      await learnFromFollowUp({ previous, text: p.prompt, embedding: embeddings?.own ?? null, embeddingModel: plan.embeddingModel, followUpId: row.id }).catch((e) =>
        console.error("learning from the follow-up failed", e),
      );
    }
  });

  if (outcome.status === "completed") {
    yield {
      type: "done",
      interactionId: row.id,
      decision,
      responseTimeMs,
      response: outcome.response,
      usage: { promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens },
      ...(outcome.toolCalls ? { toolCalls: outcome.toolCalls } : {}),
      ...(outcome.stoppedAtLimit ? { stoppedAtLimit: true } : {}),
    };
  } else if (outcome.status === "failed") {
    yield { type: "error", code: outcome.error?.code ?? "all_failed", message: outcome.error?.message ?? "Every model failed.", interactionId: row.id, decision };
  }
  return { learning };
}

/** A request no model could take, recorded all the same (started, then failed with the reason), and told to the client. */
async function* recordUnanswered(
  p: PreparedChat,
  conversation: ConversationOfRequest,
  t0: number,
  { decision, message, plan }: { decision: Decision; message: string; plan?: Plan },
): AsyncGenerator<RunEvent> {
  const row = await recordStart(requestOf(p, conversation), {
    taskType: plan?.taskType ?? "general",
    routingDecision: decision,
    modelUsed: "",
    configVersionId: plan?.config.versionId,
  });
  await asSystemStatement((q) =>
    finishInteraction(q, {
      id: row.id,
      status: "failed",
      response: "",
      modelUsed: null,
      routingDecision: decision,
      responseTimeMs: performance.now() - t0,
      error: { code: "unavailable:ollama", message },
    }),
  );
  if (plan?.embedding) await keepEmbedding(row.id, plan.embedding, plan.embeddingModel);
  yield { type: "start", interactionId: row.id, conversationId: conversation.id, parentId: conversation.parentId ?? null, decision };
  yield { type: "error", code: "unavailable:ollama", message, interactionId: row.id, decision };
}

/** Records a request's embedding; a failure is logged, the answer stands. */
function keepEmbedding(id: string, vector: number[], model: string): Promise<void> {
  return asUrgentStatement((q) => recordRequestEmbedding(q, { id, vector, model })).catch((e) => console.error("recording the request's embedding failed", e));
}

function requestOf(p: PreparedChat, conversation: ConversationOfRequest): RecordedRequest {
  return { conversationId: conversation.id, isNewConversation: conversation.isNew, userId: p.identity.userId, prompt: p.prompt, parentId: conversation.parentId, source: p.source, clientTask: p.clientTask };
}
