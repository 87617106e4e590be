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

/** `body` (exactly `length` bytes) as a stream that stops when `stillLive` says no. */
export function recheckedBody(body: ReadableStream<Uint8Array>, length: number, stillLive: () => Promise<boolean>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let pending: Uint8Array | null = null;
  let since = 0;
  let last = Date.now();
  const guarded = new ReadableStream<Uint8Array>({
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
      if (!pending) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        pending = value;
      }
      // Storage may hand over large chunks: never pass a boundary within one.
      const piece: Uint8Array = pending.subarray(0, RECHECK_BYTES - since);
      pending = piece.byteLength < pending.byteLength ? pending.subarray(piece.byteLength) : null;
      since += piece.byteLength;
      controller.enqueue(piece);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  // A FixedLengthStream keeps the Content-Length on the wire; an error cuts the body short.
  const fixed = new FixedLengthStream(length);
  guarded.pipeTo(fixed.writable).catch(() => {});
  return fixed.readable;
}
