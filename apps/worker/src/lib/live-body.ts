// A file response that keeps checking its share while it streams: every
// RECHECK_BYTES (or RECHECK_MS, whichever comes first) the checks the file route
// made at the start are made again, and a share revoked, expired or purged since
// (or a grant gone) errors the stream. The connection is cut short of its
// Content-Length, so the client's resume asks again and gets the 410 with the reason.
import type { Env } from '../env.ts';
import { now } from './time.ts';

/** A running download ends within this many more bytes of a revoke or expiry... */
export const RECHECK_BYTES = 8 * 1024 * 1024;
/** ...or this many milliseconds, for a slow reader. */
export const RECHECK_MS = 5_000;

/** Whether the share is still ready, unexpired and unpurged and the grant still valid. */
export async function grantStillLive(env: Env, id: string, gid: string): Promise<boolean> {
  const t = now();
  const row = await env.DB.prepare(
    `SELECT 1 AS live FROM shares s JOIN grants g ON g.gid = ?2 AND g.share_id = s.id
     WHERE s.id = ?1 AND s.status = 'ready' AND s.purged_at IS NULL AND s.expires_at > ?3 AND g.expires_at > ?3`,
  )
    .bind(id, gid, t)
    .first();
  return row !== null;
}

/**
 * Storage chunks smaller than this are gathered into one piece of about this
 * size: local R2 hands over 4 KiB at a time, and a pull, an enqueue and a socket
 * write per 4 KiB (262,144 per GiB) cost the worker and every client that wakes
 * for each of them more CPU than the bytes themselves.
 */
export const PIECE_BYTES = 256 * 1024;

/** `body` (exactly `length` bytes) as a stream that stops when `stillLive` says no. */
export function recheckedBody(body: ReadableStream<Uint8Array>, length: number, stillLive: () => Promise<boolean>): ReadableStream<Uint8Array> {
  // A FixedLengthStream keeps the Content-Length on the wire; an error cuts the body short.
  const fixed = new FixedLengthStream(length);
  livePieces(body, stillLive).pipeTo(fixed.writable).catch(() => {});
  return fixed.readable;
}

/** The pieces of `body`, gathered to PIECE_BYTES, with `stillLive` asked before the first byte past every boundary. */
export function livePieces(body: ReadableStream<Uint8Array>, stillLive: () => Promise<boolean>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let pending: Uint8Array | null = null;
  let ended = false;
  let since = 0;
  let last = Date.now();
  /** Up to `max` bytes of the body, in as few storage reads as it takes; null at its end. */
  const next = async (max: number): Promise<Uint8Array | null> => {
    if (!pending && !ended) {
      const { done, value } = await reader.read();
      if (done) ended = true;
      else pending = value;
    }
    if (!pending) return null;
    // A large storage chunk goes on as it is (no copy), cut at `max`.
    if (pending.byteLength >= Math.min(max, PIECE_BYTES)) {
      const piece = pending.subarray(0, max);
      pending = piece.byteLength < pending.byteLength ? pending.subarray(piece.byteLength) : null;
      return piece;
    }
    const out = new Uint8Array(Math.min(max, PIECE_BYTES));
    let got = 0;
    while (pending && got < out.byteLength) {
      const take = Math.min(pending.byteLength, out.byteLength - got);
      out.set(pending.subarray(0, take), got);
      got += take;
      pending = take < pending.byteLength ? pending.subarray(take) : null;
      if (!pending && got < out.byteLength) {
        const { done, value } = await reader.read();
        if (done) ended = true;
        else pending = value;
      }
    }
    return out.subarray(0, got);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // The check comes before the first byte past each boundary.
      if (since >= RECHECK_BYTES || Date.now() - last >= RECHECK_MS) {
        since = 0;
        last = Date.now();
        if (!(await stillLive())) {
          await reader.cancel().catch(() => {});
          controller.error(new Error('the share was revoked or expired during the download'));
          return;
        }
      }
      // Never pass a boundary within one piece.
      const piece = await next(RECHECK_BYTES - since);
      if (!piece) {
        controller.close();
        return;
      }
      since += piece.byteLength;
      controller.enqueue(piece);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
