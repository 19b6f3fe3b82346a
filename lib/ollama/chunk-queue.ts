import type { ChatChunk } from "./types";

/**
 * The chunks of one answer between the reader of the model's stream and whoever consumes
 * them, so the reader never waits for the consumer: the model's slot is given back when the
 * model has finished, not when the slowest consumer has. An answer is at most `num_predict`
 * tokens, so what waits here is bounded by the answer.
 *
 * A consumer that keeps up gets the chunks one by one, as the model sent them. One that fell
 * behind gets the text deltas waiting for it as one delta (the same text, in order): on a
 * fast stream, or a busy server, what follows a token (the client's stream, checkpoints, the
 * written response) then runs once per batch instead of once per token, and costs less the
 * further behind it is. Nothing waits to be merged: a chunk goes as soon as it is asked for.
 * Tool calls, thinking and the final chunk are never merged into text.
 */
export class ChunkQueue {
  private items: ChatChunk[] = [];
  /** the next chunk to hand over (taken ones are dropped in bulk, not one shift at a time) */
  private head = 0;
  private ended = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;

  push(chunk: ChatChunk): void {
    this.items.push(chunk);
    this.signal();
  }

  /** No more chunks come. */
  end(): void {
    this.ended = true;
    this.signal();
  }

  /**
   * The stream failed: what is queued is still handed over, then `error` is thrown; with
   * `dropQueued` (the call was aborted: timed out or cancelled) it is thrown at once.
   */
  fail(error: unknown, dropQueued: boolean): void {
    if (dropQueued) {
      this.items = [];
      this.head = 0;
    }
    this.failure = { error };
    this.end();
  }

  /** The next chunk, or null once the stream has ended. */
  async take(): Promise<ChatChunk | null> {
    while (this.head === this.items.length) {
      if (this.ended) {
        if (this.failure) throw this.failure.error;
        return null;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    let chunk = this.items[this.head++];
    const kind = textKind(chunk);
    if (kind) {
      // The deltas of the same kind queued behind it, as one.
      let end = this.head;
      while (end < this.items.length && textKind(this.items[end]) === kind) end++;
      if (end > this.head) {
        const parts = [chunk, ...this.items.slice(this.head, end)] as Extract<ChatChunk, { type: "delta" }>[];
        chunk = kind === "content" ? { type: "delta", content: parts.map((c) => c.content).join("") } : { type: "delta", content: "", thinking: parts.map((c) => c.thinking).join("") };
        this.head = end;
      }
    }
    if (this.head >= 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return chunk;
  }

  private signal() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** Which deltas may be merged with each other: plain text, or thinking alone; null for anything else. */
function textKind(c: ChatChunk): "content" | "thinking" | null {
  if (c.type !== "delta" || c.toolCalls?.length) return null;
  if (c.thinking) return c.content ? null : "thinking";
  return "content";
}
