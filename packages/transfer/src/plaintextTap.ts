// The whole-file plaintext hash taken from the reads that encrypt the parts
// (issue 11): no separate pass over the file before or beside the uploads.
//
// Parts are made by several lanes at once, a hash needs its bytes in order. A
// read ahead of the hashed frontier waits while an earlier part's make is still
// in progress (that make moves the frontier); a read ahead of the frontier
// that no make in progress can reach (a resume that skips unrecorded parts)
// gives up: the tap is then `broken` and the app hashes the file by itself.
// Bytes behind the frontier (a part made again, the chunk two parts share) are
// not hashed twice. The tap never holds plaintext: memory stays one read per lane.

import type { PlaintextSource } from '@sealdrop/crypto';

/** Where tapped plaintext goes, in order (SHA-256, plus BLAKE2b for a signature). */
export interface PlaintextConsumer {
  update(bytes: Uint8Array): void;
}

export type TapState = 'running' | 'complete' | 'broken';

export class PlaintextTap {
  #frontier = 0;
  #state: TapState;
  /** Plaintext start of each make in progress. */
  readonly #active = new Map<symbol, number>();
  #wake: (() => void)[] = [];
  readonly #settled: Promise<TapState>;
  #settle!: (s: TapState) => void;

  constructor(
    readonly size: number,
    readonly consumer: PlaintextConsumer,
  ) {
    this.#settled = new Promise((r) => (this.#settle = r));
    this.#state = 'running';
    if (size === 0) this.#finish('complete');
  }

  get state(): TapState {
    return this.#state;
  }

  /** Plaintext bytes hashed so far, in order from 0. */
  get frontier(): number {
    return this.#frontier;
  }

  /** Resolves once every byte went through the consumer in order ('complete') or that can no longer happen ('broken'). */
  settled(): Promise<TapState> {
    return this.#settled;
  }

  /** No more makes in this run: a tap not complete by now never will be. */
  close(): void {
    if (this.#state === 'running') this.#finish('broken');
  }

  /**
   * The source one part's make reads through. `start` is the plaintext offset
   * of its first read; call `end()` when the make is over (also on failure).
   */
  open(source: PlaintextSource, start: number): { source: PlaintextSource; end: () => void } {
    const id = Symbol('make');
    this.#active.set(id, start);
    const end = () => {
      if (this.#active.delete(id)) this.#notify();
    };
    return {
      source: {
        size: source.size,
        read: async (offset, length) => {
          await this.#turn(id, offset);
          const bytes = await source.read(offset, length);
          this.#take(offset, bytes);
          if (this.#active.has(id)) this.#active.set(id, offset + bytes.length);
          this.#notify();
          return bytes;
        },
      },
      end,
    };
  }

  /** Waits while the read at `offset` is ahead of the frontier and an earlier make may still reach it. */
  async #turn(id: symbol, offset: number): Promise<void> {
    while (this.#state === 'running' && offset > this.#frontier) {
      const earlier = [...this.#active].some(([other, at]) => other !== id && at < offset);
      if (!earlier) return;
      await new Promise<void>((r) => this.#wake.push(r));
    }
  }

  #take(offset: number, bytes: Uint8Array): void {
    if (this.#state !== 'running') return;
    const end = offset + bytes.length;
    if (offset > this.#frontier) return this.#finish('broken');
    if (end > this.#frontier) {
      this.consumer.update(bytes.subarray(this.#frontier - offset));
      this.#frontier = end;
    }
    if (this.#frontier >= this.size) this.#finish('complete');
  }

  #finish(s: TapState): void {
    this.#state = s;
    this.#settle(s);
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = [];
    for (const r of w) r();
  }
}
