// Keeping memory flat. WebCrypto returns a fresh ArrayBuffer per 16 KiB chunk and
// V8 frees such buffers lazily, so a long transfer would let tens of MB of dead
// buffers pile up. Transfers report the bytes they made with madeBytes(); every
// 4 MiB a full collection runs (a few milliseconds on this small heap).

import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
  if (process.env.SEALDROP_DEBUG_MEMORY) {
    const m = process.memoryUsage();
    process.stderr.write(`[memory] rss ${(m.rss / 1e6).toFixed(0)} heap ${(m.heapUsed / 1e6).toFixed(0)}/${(m.heapTotal / 1e6).toFixed(0)} external ${(m.external / 1e6).toFixed(0)} arrayBuffers ${(m.arrayBuffers / 1e6).toFixed(0)} MB\n`);
  }
}

const EVERY = 4 * 1024 * 1024;
let made = 0;

/** Counts bytes of short-lived buffers; collects garbage once every 4 MiB. */
export function madeBytes(n: number): void {
  made += n;
  if (made >= EVERY) {
    made = 0;
    collectGarbage();
  }
}
