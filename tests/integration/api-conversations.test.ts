import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { apiKeyFor, appFetch, inProcessApp, type Routes } from "../support/api-app";
import { USER_A, USER_B } from "../support/db";
import { ask as askInChat, identityOf } from "../support/orchestrator";
import { listConversations } from "../../lib/db/queries/conversations";
import { POST as chat } from "../../app/api/chat/route";
import { POST as chatCompletions } from "../../app/v1/chat/completions/route";
import { prepareChat } from "../../lib/orchestrator/prepare-chat";
import { settledLearning } from "../../lib/orchestrator/learn";
import { learningState } from "../../lib/learning/store";
import { asSystem } from "../../lib/db";
import { interactionsForAnalysis } from "../../lib/db/queries/adaptations";

/**
 * An API client (Continue, Open WebUI, a script on the OpenAI SDK) sends the whole
 * conversation with every request. A follow-up whose last answer was ours continues that
 * answer's conversation: one conversation in the user's chat list per chat in the editor,
 * not one per message, and the follow-up is read as a verdict on that answer.
 */
const routes: Routes = { "POST /api/chat": chat, "POST /v1/chat/completions": chatCompletions };
const app = inProcessApp(routes, "conversations");

type Elite = { interaction_id: string };
type Row = { conversation_id: string; user_id: string; source: string; implicit: { signal: string; by: string } | null };

/** The recorded answer, once what the answers so far teach has been learned (it runs after the response). */
async function row(id: string): Promise<Row> {
  await settledLearning();
  const { rows } = await app.env.db.query<Row>("select conversation_id, user_id, source, feedback -> 'implicit' as implicit from interactions where id = $1", [id]);
  return rows[0];
}
const conversationsOf = async (user: string) =>
  (await app.env.db.query<{ id: string; title: string }>("select id, title from conversations where user_id = $1 order by created_at", [user])).rows;
const turnsIn = async (conversation: string) =>
  (await app.env.db.query<{ user_prompt: string }>("select user_prompt from interactions where conversation_id = $1 order by created_at", [conversation])).rows.map((r) => r.user_prompt);

type Message = { role: "system" | "user" | "assistant"; content: string };
async function ask(client: OpenAI, messages: Message[]): Promise<{ id: string; answer: string }> {
  const r = await client.chat.completions.create({ model: "elite", messages });
  return { id: (r as unknown as { elite: Elite }).elite.interaction_id, answer: r.choices[0].message.content ?? "" };
}

describe("an API client's conversation", () => {
  it("the OpenAI SDK sending the conversation back: every turn lands in the first turn's conversation, and a follow-up says how the answer went", async () => {
    const client = app.openai();
    const before = (await conversationsOf(USER_A)).length;
    const system: Message = { role: "system", content: "You are a helpful coding assistant in my editor." };
    const q1 = "Fix the CORS error when my React app calls my Express API on localhost:4000.";
    const first = await ask(client, [system, { role: "user", content: q1 }]);
    const q2 = "Still getting the same error in the console after adding that.";
    const second = await ask(client, [system, { role: "user", content: q1 }, { role: "assistant", content: first.answer }, { role: "user", content: q2 }]);
    const q3 = "Now how do I deploy the API to a Linux server with systemd?";
    const third = await ask(client, [
      system,
      { role: "user", content: q1 },
      { role: "assistant", content: first.answer },
      { role: "user", content: q2 },
      { role: "assistant", content: second.answer },
      { role: "user", content: q3 },
    ]);

    const [r1, r2, r3] = await Promise.all([row(first.id), row(second.id), row(third.id)]);
    expect(r2.conversation_id).toBe(r1.conversation_id);
    expect(r3.conversation_id).toBe(r1.conversation_id);
    expect(r1.source).toBe("api");
    const added = (await conversationsOf(USER_A)).slice(before);
    expect(added).toEqual([{ id: r1.conversation_id, title: expect.stringContaining("Fix the CORS error") }]);
    expect(await turnsIn(r1.conversation_id)).toEqual([q1, q2, q3]);
    // The second message said the first answer failed; the third was a new question.
    expect(r1.implicit).toMatchObject({ signal: "failed", by: second.id });
    expect(r2.implicit).toBeNull();

    // Opened in the browser's chat, the conversation goes on with the editor's turns as its history.
    const inChat = await prepareChat(identityOf(USER_A), { conversationId: r1.conversation_id, prompt: "And with nginx in front?" });
    expect(inChat.history.filter((m) => m.role === "user").map((m) => m.content)).toEqual([q1, q2, q3]);
    // The chat list marks it as asked through the API; a conversation begun in the browser is not.
    const browser = await askInChat(identityOf(USER_A), { prompt: "What is a goroutine?" });
    const listed = await listConversations(app.env.db, { userId: USER_A });
    expect(listed.find((c) => c.id === r1.conversation_id)?.from_api).toBe(true);
    expect(listed.find((c) => c.id === browser.start.conversationId)?.from_api).toBe(false);
  });

  it("Ollama's /api/chat the same way; an edited answer or a first message starts a new conversation", async () => {
    const ollama = app.ollama();
    const q1 = "How do I make a Python dataclass immutable?";
    const first = await ollama.chat({ model: "elite", messages: [{ role: "user", content: q1 }] });
    const idOf = (r: unknown) => (r as { elite: Elite }).elite.interaction_id;
    const followUp = await ollama.chat({
      model: "elite",
      // The client padded the answer with white space at its ends (or trimmed it): still ours.
      messages: [{ role: "user", content: q1 }, { ...first.message, content: `\n${first.message.content}  \n` }, { role: "user", content: "perfect, that did the trick, thanks!" }],
    });
    const [r1, r2] = await Promise.all([row(idOf(first)), row(idOf(followUp))]);
    expect(r2.conversation_id).toBe(r1.conversation_id);
    expect(r1.implicit).toMatchObject({ signal: "thanks", by: idOf(followUp) });

    // The client changed the answer before sending it back: it is not ours, nothing is joined.
    const edited = await ollama.chat({
      model: "elite",
      messages: [{ role: "user", content: q1 }, { ...first.message, content: `${first.message.content}\n(edited)` }, { role: "user", content: "and with slots?" }],
    });
    expect((await row(idOf(edited))).conversation_id).not.toBe(r1.conversation_id);
    // The same first question again is a new chat.
    const again = await ollama.chat({ model: "elite", messages: [{ role: "user", content: q1 }] });
    expect((await row(idOf(again))).conversation_id).not.toBe(r1.conversation_id);
  });

  it("the same conversation sent again (a client's regenerate): another answer to that question, and the one asked again counts as regenerated", async () => {
    const client = app.openai();
    const q1 = "Write a bash one-liner that counts the lines of every .ts file under src.";
    const first = await ask(client, [{ role: "user", content: q1 }]);
    const q2 = "Now skip the test files.";
    const thread: Message[] = [{ role: "user", content: q1 }, { role: "assistant", content: first.answer }, { role: "user", content: q2 }];
    const second = await ask(client, thread);
    const again = await ask(client, thread);
    const third = await ask(client, thread);
    type Alt = { id: string; parent_id: string | null; conversation_id: string; regenerated: boolean | null };
    const alt = async (id: string) => {
      await settledLearning();
      return (await app.env.db.query<Alt>("select id, parent_id, conversation_id, (feedback ->> 'regenerated')::boolean as regenerated from interactions where id = $1", [id])).rows[0];
    };
    const [a, b, c, d] = await Promise.all([alt(first.id), alt(second.id), alt(again.id), alt(third.id)]);
    expect(new Set([a, b, c, d].map((r) => r.conversation_id)).size).toBe(1);
    // Alternatives hang from the first answer to the question, as the chat's regenerations do.
    expect([b.parent_id, c.parent_id, d.parent_id]).toEqual([null, second.id, second.id]);
    // Each answer asked for again is a verdict on it; the last one and the first question's are not.
    expect([a.regenerated, b.regenerated, c.regenerated, d.regenerated]).toEqual([null, true, true, null]);
    // The first answer's follow-up was read once, from the message that first followed it.
    expect((await row(first.id)).implicit?.by ?? second.id).toBe(second.id);
    // In the chat: one turn per question, the regenerations as its alternatives.
    const inChat = await prepareChat(identityOf(USER_A), { conversationId: a.conversation_id, prompt: "thanks" });
    expect(inChat.history.filter((m) => m.role === "user").map((m) => m.content)).toEqual([q1, q2]);
  });

  it("an agent's loop: the tool calls' ids name their answer, and every step lands in the loop's conversation, none counted as asked again", async () => {
    const client = app.openai();
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      { type: "function", function: { name: "read_file", description: "Read a file of the project", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } } },
    ];
    const q = "What does src/index.ts export?";
    const step = await client.chat.completions.create({ model: "elite", messages: [{ role: "user", content: q }], tools });
    const call = step.choices[0].message.tool_calls![0];
    const stepId = (step as unknown as { elite: Elite }).elite.interaction_id;
    expect(call.id).toBe(`call_${stepId.replace(/-/g, "")}_0`);
    const loop: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: "user", content: q }, step.choices[0].message, { role: "tool", tool_call_id: call.id, content: "export function main() {}" }];
    const final = await client.chat.completions.create({ model: "elite", messages: loop, tools });
    const finalId = (final as unknown as { elite: Elite }).elite.interaction_id;
    const [s, f] = await Promise.all([row(stepId), row(finalId)]);
    expect(f.conversation_id).toBe(s.conversation_id);
    const { rows } = await app.env.db.query<{ parent_id: string | null; regenerated: string | null }>(
      "select parent_id, feedback ->> 'regenerated' as regenerated from interactions where id in ($1, $2)",
      [stepId, finalId],
    );
    expect(rows).toEqual([{ parent_id: null, regenerated: null }, { parent_id: null, regenerated: null }]);
    // Continued in the browser's chat, the loop is one turn: the question and the answer written after the calls.
    const inChat = await prepareChat(identityOf(USER_A), { conversationId: s.conversation_id, prompt: "and what does main do?" });
    expect(inChat.history).toEqual([
      { role: "user", content: q },
      { role: "assistant", content: final.choices[0].message.content },
    ]);

    // Another user sending those ids continues nothing of this user's.
    const bob = new OpenAI({ baseURL: "http://app.test/v1", apiKey: await apiKeyFor(app.env.db, "bob's agent", USER_B), fetch: appFetch(routes), maxRetries: 0 });
    const his = await bob.chat.completions.create({ model: "elite", messages: loop, tools });
    expect((await row((his as unknown as { elite: Elite }).elite.interaction_id)).conversation_id).not.toBe(s.conversation_id);
  });

  it("an agent's loop through Ollama's /api/chat, whose calls carry no id: the calls sent back find the step that made them", async () => {
    const ollama = app.ollama();
    const tools = [{ type: "function", function: { name: "read_file", description: "Read a file of the project", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } } }];
    const q = "What does cmd/server/main.go start?";
    const step = await ollama.chat({ model: "elite", messages: [{ role: "user", content: q }], tools });
    expect(step.message.tool_calls?.length).toBeGreaterThan(0);
    // As Continue sends it back: the calls' names and arguments, then the tool's result.
    const calls = step.message.tool_calls!.map((c) => ({ function: { name: c.function.name, arguments: c.function.arguments } }));
    const final = await ollama.chat({ model: "elite", tools, messages: [{ role: "user", content: q }, { role: "assistant", content: "", tool_calls: calls }, { role: "tool", content: "func main() { serve() }", tool_name: "read_file" }] });
    const idOf = (r: unknown) => (r as { elite: Elite }).elite.interaction_id;
    const [s, f] = await Promise.all([row(idOf(step)), row(idOf(final))]);
    expect(f.conversation_id).toBe(s.conversation_id);
    // A call this user's answers never made continues nothing.
    const other = await ollama.chat({ model: "elite", tools, messages: [{ role: "user", content: q }, { role: "assistant", content: "", tool_calls: [{ function: { name: "read_file", arguments: { path: "elsewhere.go" } } }] }, { role: "tool", content: "package x", tool_name: "read_file" }] });
    expect((await row(idOf(other))).conversation_id).not.toBe(s.conversation_id);
  });

  it("another user sending the same conversation back continues nothing of the first user's", async () => {
    const q1 = "What does the borrow checker complain about when I hold two mutable references?";
    const first = await ask(app.openai(), [{ role: "user", content: q1 }]);
    const bob = new OpenAI({ baseURL: "http://app.test/v1", apiKey: await apiKeyFor(app.env.db, "bob", USER_B), fetch: appFetch(routes), maxRetries: 0 });
    const his = await ask(bob, [{ role: "user", content: q1 }, { role: "assistant", content: first.answer }, { role: "user", content: "thanks, that works" }]);
    const [mine, theirs] = await Promise.all([row(first.id), row(his.id)]);
    expect(theirs.user_id).toBe(USER_B);
    expect(theirs.conversation_id).not.toBe(mine.conversation_id);
    expect((await conversationsOf(USER_B)).map((c) => c.id)).toContain(theirs.conversation_id);
    expect(mine.implicit).toBeNull();
  });

  it("two answers with the same text: the follow-up continues the one to the same question", async () => {
    const client = app.openai();
    const qa = "Which HTTP status code means the resource was created?";
    const qb = "What status does a successful POST that makes a new row usually return?";
    const [a, b] = [await ask(client, [{ role: "user", content: qa }]), await ask(client, [{ role: "user", content: qb }])];
    // Both answered "201 Created." (short answers coincide; written as the answers' text).
    await app.env.db.query("update interactions set response = '201 Created.' where id in ($1, $2)", [a.id, b.id]);
    const followA = await ask(client, [{ role: "user", content: qa }, { role: "assistant", content: "201 Created." }, { role: "user", content: "and for an update?" }]);
    const followB = await ask(client, [{ role: "user", content: qb }, { role: "assistant", content: "201 Created." }, { role: "user", content: "and with no body?" }]);
    const [ra, rb, rfa, rfb] = await Promise.all([row(a.id), row(b.id), row(followA.id), row(followB.id)]);
    expect(ra.conversation_id).not.toBe(rb.conversation_id);
    expect(rfa.conversation_id).toBe(ra.conversation_id);
    expect(rfb.conversation_id).toBe(rb.conversation_id);
  });

  it("a client's housekeeping (Open WebUI's title, tags, follow-ups): answered by the router's model, recorded apart, out of the chat list and the learning", async () => {
    const client = app.openai();
    const evidence = async () => {
      await settledLearning();
      const policy = (await learningState()).policy;
      return Object.values(policy).flatMap((arms) => Object.values(arms ?? {})).reduce((n, e) => n + e.alpha + e.beta, 0);
    };
    const before = await evidence();
    const task = [
      "### Task:",
      "Give the chat below a short title of three to five words, as JSON.",
      "### Output:",
      'JSON format: { "title": "the title" }',
      "### Chat History:",
      "<chat_history>",
      "USER: Why does my Go goroutine leak when the channel is never closed?",
      "ASSISTANT: Because the receiver blocks for ever on the channel.",
      "</chat_history>",
    ].join("\n");
    const titled = await client.chat.completions.create({ model: "elite", messages: [{ role: "user", content: task }] });
    expect(titled.choices[0].message.content?.length).toBeGreaterThan(0);
    const id = (titled as unknown as { elite: Elite & { model: string; reason: string } }).elite;
    expect(id.model).toMatch(/^openhermes/); // the router's model, as the roster has it
    // A client that names a model for its tasks gets that model.
    const named = await client.chat.completions.create({ model: "codellama:7b-instruct", messages: [{ role: "user", content: task }] });
    expect(named.model).toMatch(/^codellama/);
    const namedId = (named as unknown as { elite: Elite }).elite.interaction_id;

    await settledLearning();
    const rows = (await app.env.db.query<{ id: string; client_task: boolean; source: string; conversation_id: string }>("select id, client_task, source, conversation_id from interactions where id in ($1, $2)", [id.interaction_id, namedId])).rows;
    expect(rows.map((r) => [r.client_task, r.source])).toEqual([[true, "api"], [true, "api"]]);
    const listed = (await listConversations(app.env.db, { userId: USER_A })).map((c) => c.id);
    for (const r of rows) expect(listed).not.toContain(r.conversation_id);
    expect(await evidence()).toBe(before);
    const analysed = (await asSystem((tx) => interactionsForAnalysis(tx, { since: null }))).map((r) => r.id);
    expect(analysed).not.toContain(id.interaction_id);

    // A user's own message that happens to open with "### Task:" but quotes no chat is a request like any other.
    const own = await ask(client, [{ role: "user", content: "### Task: write a Python function that reverses a linked list" }]);
    const ownRow = (await app.env.db.query<{ client_task: boolean; conversation_id: string }>("select client_task, conversation_id from interactions where id = $1", [own.id])).rows[0];
    expect(ownRow.client_task).toBe(false);
    expect((await listConversations(app.env.db, { userId: USER_A })).map((c) => c.id)).toContain(ownRow.conversation_id);
    expect(await evidence()).toBeGreaterThan(before);
  });
});
