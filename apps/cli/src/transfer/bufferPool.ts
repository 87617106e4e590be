// Reused buffers under a memory budget, for the CLI's part maker (upload.ts).

/**
 * Buffers taken and given back: a part's ciphertext and a make's read buffer
 * are reused, so a long send makes no garbage the size of its parts (dead
 * 16 MiB buffers would wait for a full collection). The pool never holds more
 * than `budget` bytes (but always one buffer): a make waits for a buffer when
 * the parts in flight hold them all, so memory stays bounded whatever the
 * server's part size (up to 95 MiB) and the number of lanes.
 */
export class BufferPool {
  readonly #free: Uint8Array[] = [];
  #allocated = 0;
  #waiting: (() => void)[] = [];
  #retired = false;
  constructor(
    readonly bytes: number,
    readonly budget: number,
  ) {}
  /** Bytes of the buffers this pool made and has not dropped. */
  get allocated(): number {
    return this.#allocated;
  }
  async take(): Promise<Uint8Array> {
    for (;;) {
      const b = this.#free.pop();
      if (b) return b;
      if (this.#retired || this.#allocated === 0 || this.#allocated + this.bytes <= this.budget) {
        this.#allocated += this.bytes;
        return new Uint8Array(this.bytes);
      }
      await new Promise<void>((r) => this.#waiting.push(r));
    }
  }
  give(b: Uint8Array): void {
    if (b.length !== this.bytes) return;
    if (this.#retired) this.#allocated -= this.bytes;
    else this.#free.push(b);
    this.#waiting.shift()?.();
  }
  /** A pool of longer buffers takes over: buffers given back here are dropped, and waiters go on. */
  retire(): void {
    this.#retired = true;
    this.#free.length = 0;
    for (const w of this.#waiting.splice(0)) w();
  }
}
