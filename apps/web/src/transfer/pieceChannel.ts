// The decrypted stream of a download, carried over a MessagePort from the Web
// Worker that fetches, decrypts and hashes it to the /dl/ service worker that
// hands it to the browser as the download. Two threads instead of one (issue 11:
// the SHA-256 and the WebCrypto calls were most of the service worker's CPU,
// on the thread that also feeds the browser). Each piece is copied across, not
// transferred: measured, a transferred buffer lands in the service worker's heap,
// where little else allocates and the garbage collector seldom runs, so memory
// grew more and fresh pages cost more CPU than the copy does. The service worker
// grants credit, so at most CREDIT pieces are between the two (flat memory), and
// the worker starts only once the browser asks for the file.
//
// The worker's stream already holds back the end of each file until its SHA-256
// matched, and errors on any failure; the failure crosses as 'fail' and errors
// the service worker's stream in turn, so nothing complete-looking is saved.

import { DownloadError } from './downloadPipeline.ts';
import type { DownloadEvent, DownloadFailure } from './downloadTypes.ts';

/** Worker → service worker, in order on one port. */
export type PieceMessage =
  | { type: 'piece'; bytes: Uint8Array }
  | { type: 'event'; ev: DownloadEvent }
  | { type: 'end' }
  | { type: 'fail'; error: DownloadFailure };

/** Service worker → worker. */
export type CreditMessage = { type: 'credit'; n: number } | { type: 'cancel' };

/** Pieces in flight at most (each up to a body read's worth, ~0.5 MiB). */
export const CREDIT = 4;

/** A view that is its whole buffer (a view's whole buffer is what crosses a port). */
function owned(piece: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength && piece.buffer instanceof ArrayBuffer;
  return (whole ? piece : piece.slice()) as Uint8Array<ArrayBuffer>;
}

/**
 * Worker side. Waits for the first credit, then reads `open()` and sends each
 * piece as credit allows. `post` sends progress events in order with the pieces.
 * Resolves once the stream ended, failed or was canceled.
 */
export function sendPieces(port: MessagePort, open: () => ReadableStream<Uint8Array>, failure: (e: unknown) => DownloadFailure, onCancel: () => void): Promise<void> {
  let credit = 0;
  let canceled = false;
  let wake: (() => void) | null = null;
  port.onmessage = (e: MessageEvent<CreditMessage>) => {
    if (e.data.type === 'credit') credit += e.data.n;
    else if (e.data.type === 'cancel' && !canceled) {
      canceled = true;
      onCancel();
    }
    wake?.();
    wake = null;
  };
  const ready = () => (credit > 0 || canceled ? Promise.resolve() : new Promise<void>((r) => (wake = r)));
  return (async () => {
    await ready();
    if (canceled) return;
    const reader = open().getReader();
    try {
      for (;;) {
        await ready();
        if (canceled) {
          await reader.cancel().catch(() => {});
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          port.postMessage({ type: 'end' } satisfies PieceMessage);
          return;
        }
        credit--;
        const bytes = owned(value);
        port.postMessage({ type: 'piece', bytes } satisfies PieceMessage);
      }
    } catch (err) {
      if (!canceled) port.postMessage({ type: 'fail', error: failure(err) } satisfies PieceMessage);
    }
  })();
}

/** The event sender of the worker side: events travel in order with the pieces. */
export function eventSender(port: MessagePort): (ev: DownloadEvent) => void {
  return (ev) => port.postMessage({ type: 'event', ev } satisfies PieceMessage);
}

/**
 * Service worker side: the pieces as a stream (pulled by the browser), with
 * `onEvent` told each event as it arrives. Canceling the stream, or `signal`,
 * cancels the worker; `signal` also errors the stream.
 */
export function receivePieces(port: MessagePort, onEvent: (ev: DownloadEvent) => void, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failed: DownloadFailure | null = null;
  let wake: (() => void) | null = null;
  port.onmessage = (e: MessageEvent<PieceMessage>) => {
    const m = e.data;
    if (m.type === 'piece') queue.push(m.bytes);
    else if (m.type === 'event') onEvent(m.ev);
    else if (m.type === 'end') ended = true;
    else if (m.type === 'fail') failed = m.error;
    wake?.();
    wake = null;
  };
  signal?.addEventListener('abort', () => {
    port.postMessage({ type: 'cancel' } satisfies CreditMessage);
    failed ??= { kind: 'canceled', message: 'The download was canceled.' };
    wake?.();
    wake = null;
  });
  let started = false;
  const give = (n: number) => port.postMessage({ type: 'credit', n } satisfies CreditMessage);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          give(CREDIT);
        }
        while (!queue.length && !ended && !failed) await new Promise<void>((r) => (wake = r));
        // A failure wins over pieces still queued: the download fails as soon as it is known.
        if (failed) throw new DownloadError(failed);
        const piece = queue.shift();
        if (!piece) {
          controller.close();
          return;
        }
        controller.enqueue(piece);
        give(1);
      },
      cancel() {
        port.postMessage({ type: 'cancel' } satisfies CreditMessage);
      },
    },
    { highWaterMark: 0 },
  );
}
