import type { ChatChunk } from "./types";

/**
 * The chunks of one answer between the reader of the model's stream and whoever consumes
 * them, so the reader never waits for the consumer: the model's slot is given back when the
 * model has finished, not when the slowest consumer has. What the consumer has not taken yet
 * is handed over in one piece: consecutive text deltas (no thinking, no tool calls) are
 * joined, so a consumer that falls behind catches up in one step instead of one per token.
 * An answer is at most `num_predict` tokens, so what waits here is bounded by the answer.
 */
export class ChunkQueue {
  private items: ChatChunk[] = [];
  private ended = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;

  push(chunk: ChatChunk): void {
    const last = this.items.at(-1);
    if (last && isPlainText(last) && isPlainText(chunk)) this.items[this.items.length - 1] = { type: "delta", content: last.content + chunk.content };
    else this.items.push(chunk);
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
    if (dropQueued) this.items = [];
    this.failure = { error };
    this.end();
  }

  /** The next chunk (text deltas waiting joined into one), or null once the stream has ended. */
  async take(): Promise<ChatChunk | null> {
    while (this.items.length === 0) {
      if (this.ended) {
        if (this.failure) throw this.failure.error;
        return null;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.items.shift()!;
  }

  private signal() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

function isPlainText(c: ChatChunk): c is { type: "delta"; content: string } {
  return c.type === "delta" && !c.thinking && !c.toolCalls?.length;
}
