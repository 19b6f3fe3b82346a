import { describe, expect, it } from "vitest";
import { ChunkQueue } from "../../lib/ollama/chunk-queue";

const delta = (content: string) => ({ type: "delta" as const, content });

async function drain(q: ChunkQueue): Promise<string[]> {
  const out: string[] = [];
  for (let c = await q.take(); c; c = await q.take()) out.push(c.type === "delta" ? c.content : "done");
  return out;
}

describe("the chunk queue between a model's stream and its consumer", () => {
  it("hands chunks over one by one to a consumer that keeps up", async () => {
    const q = new ChunkQueue();
    for (const s of ["a", "b", "c"]) {
      const next = q.take();
      q.push(delta(s));
      expect(await next).toEqual(delta(s));
    }
    q.push({ type: "done", result: {} as never });
    expect((await q.take())?.type).toBe("done");
  });

  it("gives a consumer that fell behind the text waiting for it as one delta, in order, past its compaction at 1,024", async () => {
    const q = new ChunkQueue();
    const sent = Array.from({ length: 3000 }, (_, i) => String(i));
    for (const s of sent) q.push(delta(s));
    q.end();
    const got = await drain(q);
    expect(got).toEqual([sent.join("")]);
  });

  it("never merges tool calls, thinking or the final chunk into text", async () => {
    const q = new ChunkQueue();
    const call = { function: { name: "f", arguments: {} } };
    q.push(delta("a"));
    q.push(delta("b"));
    q.push({ type: "delta", content: "", thinking: "hm" });
    q.push({ type: "delta", content: "", thinking: "m" });
    q.push(delta("c"));
    q.push({ type: "delta", content: "", toolCalls: [call] });
    q.push(delta("d"));
    q.push({ type: "done", result: {} as never });
    q.push(delta("late"));
    q.end();
    const out = [];
    for (let c = await q.take(); c; c = await q.take()) out.push(c);
    expect(out).toEqual([
      delta("ab"),
      { type: "delta", content: "", thinking: "hmm" },
      delta("c"),
      { type: "delta", content: "", toolCalls: [call] },
      delta("d"),
      { type: "done", result: {} },
      delta("late"),
    ]);
  });

  it("wakes a consumer that waits for the next chunk", async () => {
    const q = new ChunkQueue();
    const first = q.take();
    q.push(delta("a"));
    expect(await first).toEqual(delta("a"));
    const none = q.take();
    q.end();
    expect(await none).toBeNull();
  });

  it("a failure comes after the chunks already queued; an aborted call's comes at once", async () => {
    const broken = new ChunkQueue();
    broken.push(delta("a"));
    broken.push(delta("b"));
    broken.fail(new Error("cut"), false);
    expect(await broken.take()).toEqual(delta("ab"));
    await expect(broken.take()).rejects.toThrow("cut");

    const aborted = new ChunkQueue();
    aborted.push(delta("a"));
    aborted.fail(new Error("timed out"), true);
    await expect(aborted.take()).rejects.toThrow("timed out");
  });
});
