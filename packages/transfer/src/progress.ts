// Progress accounting of a send from the engine's events, for the web store and
// the CLI's progress bar alike: ciphertext bytes on the server per file, bytes
// of the parts in flight, parts found on resume as a base (not counted in the
// speed), and speed / time left from recent samples.

import { ciphertextSize } from '@sealdrop/crypto';
import type { TransferEvent } from './events.ts';

export interface FileSendProgress {
  /** Ciphertext bytes on the server or in flight now (at most `total`). */
  sent: number;
  total: number;
  /** Every part is on the server. */
  allSent: boolean;
  /** The plaintext SHA-256 once hashed. */
  sha256?: string;
}

/** Speed is measured over the samples of the last WINDOW_MS. */
const WINDOW_MS = 8000;
/** A speed from less than this is noise: 0 until then. */
const MIN_SPAN_MS = 400;

export class SendProgress {
  readonly #total: number[];
  readonly #onServer: number[];
  readonly #sha256: (string | undefined)[];
  /** In-flight bytes by part, "file:part" (a retried part starts again at 0). */
  readonly #inflight = new Map<string, { file: number; sent: number }>();
  readonly #samples: { t: number; b: number }[] = [];
  /** Bytes of parts found on the server on resume: there before this run. */
  resumedBytes = 0;

  /** `sizes`: the plaintext sizes of the files, in order. */
  constructor(sizes: readonly number[]) {
    this.#total = sizes.map((n) => ciphertextSize(n));
    this.#onServer = sizes.map(() => 0);
    this.#sha256 = sizes.map(() => undefined);
  }

  /** Folds one engine event in. Returns the change of `sessionBytes` it made (the CLI bar adds it). */
  onEvent(e: TransferEvent): number {
    const before = this.sessionBytes;
    switch (e.type) {
      case 'file-restarted':
        this.#onServer[e.file] = 0;
        break;
      case 'part-progress':
        this.#inflight.set(`${e.file}:${e.part}`, { file: e.file, sent: e.sent });
        break;
      case 'part-done':
        this.#inflight.delete(`${e.file}:${e.part}`);
        this.#onServer[e.file] += e.bytes;
        if (e.resumed) this.resumedBytes += e.bytes;
        break;
      case 'file-hashed':
        this.#sha256[e.file] = e.sha256;
        break;
      case 'retry':
        if (e.part !== undefined) this.#inflight.delete(`${e.file}:${e.part}`);
        break;
      default:
        break;
    }
    return this.sessionBytes - before;
  }

  /** Per file: bytes on the server and in flight, its total, and its hash once known. */
  files(): FileSendProgress[] {
    const inflight = this.#total.map(() => 0);
    for (const p of this.#inflight.values()) inflight[p.file] += p.sent;
    return this.#total.map((total, i) => ({
      sent: Math.min(total, this.#onServer[i] + inflight[i]),
      total,
      allSent: this.#onServer[i] >= total,
      ...(this.#sha256[i] ? { sha256: this.#sha256[i] } : {}),
    }));
  }

  /** Ciphertext bytes of all files. */
  get total(): number {
    return this.#total.reduce((n, t) => n + t, 0);
  }

  /** Ciphertext bytes on the server or in flight. */
  get sent(): number {
    return this.files().reduce((n, f) => n + f.sent, 0);
  }

  /** Bytes sent by this run (what was on the server before it is not). */
  get sessionBytes(): number {
    return Math.max(0, this.sent - this.resumedBytes);
  }

  /** Records a sample at `now` (ms, any clock) and returns bytes per second over the window (0 until it means something) and seconds left (NaN without a speed). */
  rate(now: number): { speed: number; eta: number } {
    const b = this.sessionBytes;
    this.#samples.push({ t: now, b });
    while (this.#samples.length > 2 && now - this.#samples[0].t > WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0];
    const speed = now - first.t > MIN_SPAN_MS ? ((b - first.b) * 1000) / (now - first.t) : 0;
    return { speed, eta: speed > 0 ? (this.total - this.sent) / speed : Number.NaN };
  }
}
