// Keeping memory flat without forcing collections (issue 11: a full GC every
// 4 MiB was 23-46 % of the CLI's main thread). Memory stays bounded by
// construction instead: a send holds one part per lane in flight, a receive
// streams with back-pressure, and V8 frees the short-lived chunk buffers
// WebCrypto returns in its young-generation collections.
//
// Transfers still report the bytes of short-lived buffers they made; with
// SEALDROP_DEBUG_MEMORY set, a line of memory figures is printed every 64 MiB.

const EVERY = 64 * 1024 * 1024;
let made = 0;

/** Counts bytes of short-lived buffers (for SEALDROP_DEBUG_MEMORY); never collects. */
export function madeBytes(n: number): void {
  if (!process.env.SEALDROP_DEBUG_MEMORY) return;
  made += n;
  if (made >= EVERY) {
    made = 0;
    const m = process.memoryUsage();
    process.stderr.write(`[memory] rss ${(m.rss / 1e6).toFixed(0)} heap ${(m.heapUsed / 1e6).toFixed(0)}/${(m.heapTotal / 1e6).toFixed(0)} external ${(m.external / 1e6).toFixed(0)} arrayBuffers ${(m.arrayBuffers / 1e6).toFixed(0)} MB\n`);
  }
}
