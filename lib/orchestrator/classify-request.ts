/**
 * What kind of request this is: the trained classifier and the request's confirmed
 * neighbours vote (weighted by what each voter has earned), and the router model is asked
 * only when they are unsure. The neighbours' observed outcomes per model come along, for
 * routing this one request (contextual evidence).
 */

import "server-only";
import { asUrgentStatement } from "@/lib/db";
import { requestNeighbours, type ConfirmedNeighbour } from "@/lib/db/queries/past-interactions";
import { contextEvidence } from "@/lib/learning/context-evidence";
import { getOllamaPool, OllamaTimeoutError } from "@/lib/ollama";
import { learningState } from "@/lib/learning/store";
import type { ContextEvidence } from "@/lib/learning/policy";
import { embeddingInput, isTaskType, type PastOutcome, type Roster, type RouterMissed, type TaskType } from "@/lib/domain";
import { isFollowUp, withPrevious, type ConversationReading } from "@/lib/learning/request-in-conversation";
import { classifyWithRouter } from "./router-classification";
import { combineVotes, taskProbabilities, voteOfNeighbours, votesFrom, type Vote } from "@/lib/learning/ensemble";
import type { Availability } from "./availability";

/** Ask the router model only when the cheap voters are less sure than this. */
const ROUTER_MODEL_BELOW = 0.75;

export interface RequestClassification {
  taskType: TaskType;
  confidence: number;
  voters: { name: string; taskType: string; confidence: number }[];
  /** a follow-up read mostly by the user's request before it (lib/learning/request-in-conversation.ts isFollowUp) */
  followUp: boolean;
  votes: Vote[];
  embedding: number[] | null;
  /** what the nearest past requests' answers say of each model, for this request */
  context: ContextEvidence;
  taskProbabilities: Record<TaskType, number>;
  /** the router model was asked and not heard: busy (no slot in time) or failed */
  routerMissed?: RouterMissed;
}

/** Texts longer than this are embedded by their start (the embedding model's window). */
const EMBEDDED_CHARS = 8000;

/**
 * A request's embeddings: its own words, and the request as it is meant. For a follow-up
 * ("and in rust?", "continue") that is the request with the one before it: its neighbours,
 * the patterns it falls in and the knowledge it needs are its conversation's, while what its
 * own words say (thanks, "still failing", the question again) is read from `own`. For any
 * other request the two are one.
 */
export interface RequestEmbeddings {
  own: number[];
  request: number[];
}

/** The request's embeddings by the roster's embedding model, in one call; null without one (classification and patterns go on without neighbours). */
export async function embedRequest(
  prompt: string,
  /** the user's request before it, when the request is a follow-up (null: it is read alone) */
  previous: string | null,
  roster: Roster,
  availability: Availability,
  signal?: AbortSignal,
): Promise<RequestEmbeddings | null> {
  if (!availability.has(roster.embedding)) return null;
  const texts = [prompt.slice(0, EMBEDDED_CHARS), ...(previous ? [withPrevious(prompt, previous, EMBEDDED_CHARS)] : [])];
  try {
    const { embeddings } = await getOllamaPool().embed({ model: roster.embedding, input: texts.map((t) => embeddingInput(roster.embedding, "query", t)), signal });
    return { own: embeddings[0], request: embeddings.at(-1)! };
  } catch {
    return null;
  }
}

export async function classifyRequest(input: {
  prompt: string;
  /** the user's request before this one in the conversation (null: the first) */
  previous: string | null;
  /** the task classifier's reading of the request in its conversation */
  reading: ConversationReading;
  roster: Roster;
  availability: Availability;
  /** the request's embedding as it is meant ({@link RequestEmbeddings}.request) */
  embedded: Promise<number[] | null>;
  signal?: AbortSignal;
  askRouter?: boolean;
}): Promise<RequestClassification> {
  const { prompt, previous, reading: features, roster, availability, embedded, signal, askRouter = true } = input;
  const state = await learningState();
  const embedding = await embedded;
  let neighbours = null;
  let near: ConfirmedNeighbour[] = [];
  let outcomes: PastOutcome[] = [];
  if (embedding) {
    // Both reads in one round trip, outside any transaction.
    ({ confirmed: near, outcomes } = await asUrgentStatement((q) => requestNeighbours(q, { embedding, confirmed: 15, outcomes: 20 })));
    // Only confirmed labels: one a person stated weighs fully, one inferred from a good rating less.
    const examples = near
      .filter((n) => isTaskType(n.task_type))
      .map((n) => ({ similarity: n.similarity, taskType: n.task_type as TaskType, weight: n.stated ? 1 : 0.8 }));
    neighbours = voteOfNeighbours(examples);
  }
  let votes = votesFrom(state.voters, { features, neighbours });
  let combined = combineVotes(votes);
  let routerMissed: RouterMissed | undefined;
  if (askRouter && combined.confidence < ROUTER_MODEL_BELOW && availability.has(roster.roles.router)) {
    try {
      const shots = near.filter((n) => isTaskType(n.task_type)).map((n) => ({ prompt: n.user_prompt, taskType: n.task_type as TaskType }));
      const r = await classifyWithRouter(roster.roles.router, { prompt, previous }, shots, signal);
      votes = votesFrom(state.voters, { features, neighbours, router_model: { taskType: r.task_type, confidence: r.confidence } });
      combined = combineVotes(votes);
    } catch (e) {
      // The router model is one voter; without it the others decide.
      routerMissed = e instanceof OllamaTimeoutError && e.phase === "queue" ? "busy" : "failed";
    }
  }
  return {
    taskType: combined.taskType,
    confidence: combined.confidence,
    taskProbabilities: taskProbabilities(combined),
    votes,
    voters: votes.map((v) => ({ name: v.name, taskType: v.taskType, confidence: v.confidence })),
    followUp: isFollowUp(features),
    embedding,
    context: contextEvidence(outcomes),
    ...(routerMissed ? { routerMissed } : {}),
  };
}
