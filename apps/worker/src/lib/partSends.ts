// How the sends of one part are counted: a part may be stored at most
// 1 + MAX_PART_RESENDS times. A send takes a slot before its body is read, so N
// concurrent sends never exceed the cap; the slot becomes a stored send once R2
// has the bytes, and is given back when the send failed. A slot whose request
// died with its process (a killed stack, a cancelled request) frees itself when
// its lease ends, so an interrupted part never locks an upload for good.
import { MAX_PART_RESENDS } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';
import { markStorageOk } from './storage.ts';

const CAP = 1 + MAX_PART_RESENDS;

/** How long a slot is held for a send of `bytes`: 30 s, or as long as 1 MiB/s needs. */
export function sendLeaseMs(bytes: number): number {
  return Math.max(30_000, Math.ceil(bytes / (1024 * 1024)) * 1000);
}

/** Takes a send slot for part n of file i, or fails: 409 once stored CAP times, 429 while slots are held. */
export async function takeSendSlot(env: Env, id: string, i: number, n: number, bytes: number, t: number): Promise<void> {
  const lease = sendLeaseMs(bytes);
  // Slots of a lease that ended count as free (their requests are gone).
  const took = await env.DB.prepare(
    `INSERT INTO parts (share_id, file_idx, n, sends, inflight, inflight_until, updated_at) VALUES (?1, ?2, ?3, 0, 1, ?4 + ?6, ?4)
     ON CONFLICT (share_id, file_idx, n) DO UPDATE SET
       inflight = CASE WHEN inflight_until <= ?4 THEN 1 ELSE inflight + 1 END,
       inflight_until = ?4 + ?6, updated_at = ?4
     WHERE sends + CASE WHEN inflight_until <= ?4 THEN 0 ELSE inflight END < ?5
     RETURNING sends`,
  )
    .bind(id, i, n, t, CAP, lease)
    .first();
  if (took) return;
  const row = await env.DB.prepare('SELECT sends, inflight_until FROM parts WHERE share_id = ? AND file_idx = ? AND n = ?')
    .bind(id, i, n)
    .first<{ sends: number; inflight_until: number }>();
  if (!row || row.sends >= CAP) {
    throw new Fail('conflict', `part ${n} of file ${i} was already stored ${CAP} times and cannot be replaced again; start a new share`);
  }
  const wait = Math.max(1, Math.ceil((row.inflight_until - t) / 1000));
  throw new Fail('rate_limited', `part ${n} of file ${i} is still being received by earlier sends (or ones that were cut off); try again in ${wait} s`, wait);
}

/** The send stored its bytes: it counts, and its slot is free. */
export async function recordStoredSend(env: Env, id: string, i: number, n: number, etag: string, t: number): Promise<void> {
  await env.DB.prepare(
    'UPDATE parts SET etag = ?1, sends = sends + 1, inflight = MAX(inflight - 1, 0), updated_at = ?2 WHERE share_id = ?3 AND file_idx = ?4 AND n = ?5',
  )
    .bind(etag, t, id, i, n)
    .run();
  markStorageOk();
}

/** The send failed before its bytes were stored: it counts nothing. */
export async function releaseSendSlot(env: Env, id: string, i: number, n: number): Promise<void> {
  await env.DB.prepare('UPDATE parts SET inflight = MAX(inflight - 1, 0) WHERE share_id = ? AND file_idx = ? AND n = ?').bind(id, i, n).run();
}
