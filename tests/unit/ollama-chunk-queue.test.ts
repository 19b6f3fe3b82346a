import { describe, expect, it } from "vitest";
import { ChunkQueue } from "../../lib/ollama/chunk-queue";

const delta = (content: string) => ({ type: "delta" as const, content });

async function drain(q: ChunkQueue): Promise<string[]> {
  const out: string[] = [];
  for (let c = await q.take(); c; c = await q.take()) out.push(c.type === "delta" ? c.content : "done");
  return out;
}

describe("the chunk queue between a model's stream and its consumer", () => {
  it("hands chunks over in order, one by one, however many wait (past its compaction at 1,024)", async () => {
    const q = new ChunkQueue();
    const sent = Array.from({ length: 3000 }, (_, i) => String(i));
    for (const s of sent) q.push(delta(s));
    q.end();
    expect(await drain(q)).toEqual(sent);
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
    expect(await broken.take()).toEqual(delta("a"));
    expect(await broken.take()).toEqual(delta("b"));
    await expect(broken.take()).rejects.toThrow("cut");

    const aborted = new ChunkQueue();
    aborted.push(delta("a"));
    aborted.fail(new Error("timed out"), true);
    await expect(aborted.take()).rejects.toThrow("timed out");
  });
});
