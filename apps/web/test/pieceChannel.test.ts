// The pieces of a download between the decrypting worker and the /dl/ service
// worker (pieceChannel.ts), over a real MessageChannel: order, credit (flat
// memory), a lazy start, and that a failure or a cancel is never a clean end.

import { describe, expect, it } from 'vitest';
import { DownloadError } from '../src/transfer/downloadPipeline.ts';
import type { DownloadEvent } from '../src/transfer/downloadTypes.ts';
import { CREDIT, eventSender, receivePieces, sendPieces } from '../src/transfer/pieceChannel.ts';

const tick = () => new Promise((r) => setTimeout(r, 20));

/** A source of `n` pieces of `size` bytes (piece i filled with i), counting how many were pulled. */
function source(n: number, size = 1000, failAt?: number) {
  const s = { pulled: 0, canceled: false, stream: null as unknown as ReadableStream<Uint8Array> };
  s.stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (s.pulled === failAt) throw new Error('tag mismatch');
        if (s.pulled === n) return c.close();
        c.enqueue(new Uint8Array(size).fill(s.pulled++ & 255));
      },
      cancel() {
        s.canceled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return s;
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  const got: Uint8Array[] = [];
  for await (const p of stream as unknown as AsyncIterable<Uint8Array>) got.push(p);
  return got;
}

describe('pieceChannel', () => {
  it('carries every piece in order with the events between them, then ends', async () => {
    const { port1, port2 } = new MessageChannel();
    const src = source(20);
    let opened = 0;
    const post = eventSender(port1);
    const sent = sendPieces(
      port1,
      () => {
        opened++;
        post({ type: 'progress', file: 0, bytes: 1 });
        return src.stream;
      },
      () => ({ kind: 'other', message: 'x' }),
      () => {},
    );
    const events: DownloadEvent[] = [];
    const stream = receivePieces(port2, (ev) => events.push(ev));
    await tick();
    expect(opened).toBe(0); // nothing is fetched before the browser asks
    const got = await readAll(stream);
    await sent;
    expect(got.map((p) => [p.length, p[0], p[999]])).toEqual(Array.from({ length: 20 }, (_, i) => [1000, i, i]));
    expect(events).toEqual([{ type: 'progress', file: 0, bytes: 1 }]);
    port1.close();
  });

  it('reads at most CREDIT pieces ahead of the browser', async () => {
    const { port1, port2 } = new MessageChannel();
    const src = source(100);
    void sendPieces(port1, () => src.stream, () => ({ kind: 'other', message: 'x' }), () => {});
    const reader = receivePieces(port2, () => {}).getReader();
    await reader.read();
    await tick();
    expect(src.pulled).toBeLessThanOrEqual(CREDIT + 1);
    for (let i = 0; i < 10; i++) await reader.read();
    await tick();
    expect(src.pulled).toBeLessThanOrEqual(11 + CREDIT);
    expect(src.pulled).toBeGreaterThanOrEqual(11);
    await reader.cancel();
    port1.close();
  });

  it('a view into a larger buffer crosses as just its bytes', async () => {
    const { port1, port2 } = new MessageChannel();
    const big = new Uint8Array(1 << 16).fill(7);
    big.set([1, 2, 3], 100);
    const one = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(big.subarray(100, 103)), c.close()) });
    void sendPieces(port1, () => one, () => ({ kind: 'other', message: 'x' }), () => {});
    const got = await readAll(receivePieces(port2, () => {}));
    expect(got.map((p) => [...p])).toEqual([[1, 2, 3]]);
    expect(got[0].buffer.byteLength).toBe(3);
    port1.close();
  });

  it("a failure in the worker errors the service worker's stream with its reason, after the pieces before it", async () => {
    const { port1, port2 } = new MessageChannel();
    const src = source(10, 10, 3);
    void sendPieces(port1, () => src.stream, (e) => ({ kind: 'integrity', message: String((e as Error).message) }), () => {});
    const reader = receivePieces(port2, () => {}).getReader();
    let n = 0;
    let error: unknown;
    try {
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
        n++;
      }
    } catch (e) {
      error = e;
    }
    expect(n).toBeLessThanOrEqual(3);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).failure).toEqual({ kind: 'integrity', message: 'tag mismatch' });
    port1.close();
  });

  it('canceling the download (browser or page) cancels the worker; the page cancel errors the stream', async () => {
    for (const how of ['browser', 'page'] as const) {
      const { port1, port2 } = new MessageChannel();
      const src = source(1000);
      let told = 0;
      const sent = sendPieces(port1, () => src.stream, () => ({ kind: 'other', message: 'x' }), () => told++);
      const page = new AbortController();
      const reader = receivePieces(port2, () => {}, page.signal).getReader();
      await reader.read();
      if (how === 'browser') await reader.cancel();
      else {
        page.abort();
        await expect(reader.read()).rejects.toMatchObject({ failure: { kind: 'canceled' } });
      }
      await sent;
      expect(told).toBe(1);
      expect(src.canceled).toBe(true);
      expect(src.pulled).toBeLessThan(20);
      port1.close();
    }
  });
});
