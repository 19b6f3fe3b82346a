import type { ChatChunk } from "./types";

/**
 * The chunks of one answer between the reader of the model's stream and whoever consumes
 * them, so the reader never waits for the consumer: the model's slot is given back when the
 * model has finished, not when the slowest consumer has. Chunks are handed over one by one,
 * as the model sent them. An answer is at most `num_predict` tokens, so what waits here is
 * bounded by the answer.
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
    const chunk = this.items[this.head++];
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
