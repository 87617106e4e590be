// Password attempts are reserved before the signature is verified, each by one
// conditional write, so N concurrent guesses evaluate at most the allowance:
// a slot of the (share, client) back-off, then a slot of the share's hourly and
// daily budget. A right password gives both back; a wrong one keeps them.
import {
  BACKOFF_BASE_SECONDS,
  BACKOFF_FREE_ATTEMPTS,
  BACKOFF_MAX_SECONDS,
  WRONG_PASSWORDS_PER_DAY,
  WRONG_PASSWORDS_PER_HOUR,
} from '@sealdrop/shared';
import type { Env } from '../env.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Seconds of back-off after `failures` wrong passwords (0 for the first five). */
export function backoffSeconds(failures: number): number {
  if (failures < BACKOFF_FREE_ATTEMPTS) return 0;
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (failures - BACKOFF_FREE_ATTEMPTS));
}

// backoffSeconds() in SQL (the shift is capped so it cannot overflow).
const BACKOFF_SQL = `CASE WHEN failures < ?4 THEN 0 ELSE MIN(?5, ?6 << MIN(failures - ?4, 30)) END`;

export type Reservation =
  | { ok: true; hour: number; day: number }
  | { ok: false; reason: 'backoff' | 'budget'; retryMs: number };

export async function reserveAttempt(env: Env, shareId: string, client: string, t: number): Promise<Reservation> {
  const db = env.DB;
  const hour = Math.floor(t / HOUR);
  const day = Math.floor(t / DAY);

  // The back-off slot: counts the attempt as a failure unless the client must wait.
  const bo = await db
    .prepare(
      `INSERT INTO backoff (share_id, client, failures, last_at) VALUES (?1, ?2, 1, ?3)
       ON CONFLICT (share_id, client) DO UPDATE SET failures = failures + 1, last_at = ?3
         WHERE last_at + ${BACKOFF_SQL} * 1000 <= ?3
       RETURNING failures`,
    )
    .bind(shareId, client, t, BACKOFF_FREE_ATTEMPTS, BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS)
    .first<{ failures: number }>();
  if (!bo) {
    const row = await db
      .prepare('SELECT failures, last_at FROM backoff WHERE share_id = ? AND client = ?')
      .bind(shareId, client)
      .first<{ failures: number; last_at: number }>();
    const wait = row ? row.last_at + backoffSeconds(row.failures) * 1000 - t : 1000;
    return { ok: false, reason: 'backoff', retryMs: Math.max(1000, wait) };
  }

  // The share's budget slot (an hour and a day, fixed windows).
  const taken = await db
    .prepare(
      `UPDATE shares SET
         wp_hour_count = CASE WHEN wp_hour = ?2 THEN wp_hour_count + 1 ELSE 1 END, wp_hour = ?2,
         wp_day_count = CASE WHEN wp_day = ?3 THEN wp_day_count + 1 ELSE 1 END, wp_day = ?3
       WHERE id = ?1 AND NOT (wp_hour = ?2 AND wp_hour_count >= ?4) AND NOT (wp_day = ?3 AND wp_day_count >= ?5)`,
    )
    .bind(shareId, hour, day, WRONG_PASSWORDS_PER_HOUR, WRONG_PASSWORDS_PER_DAY)
    .run();
  if (taken.meta.changes !== 1) {
    await releaseBackoff(env, shareId, client);
    const s = await db.prepare('SELECT wp_day, wp_day_count FROM shares WHERE id = ?').bind(shareId).first<{ wp_day: number; wp_day_count: number }>();
    const dayFull = !!s && s.wp_day === day && s.wp_day_count >= WRONG_PASSWORDS_PER_DAY;
    return { ok: false, reason: 'budget', retryMs: dayFull ? (day + 1) * DAY - t : (hour + 1) * HOUR - t };
  }
  return { ok: true, hour, day };
}

/** Give back a back-off slot that was not used for a verification. */
async function releaseBackoff(env: Env, shareId: string, client: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('UPDATE backoff SET failures = failures - 1 WHERE share_id = ? AND client = ?').bind(shareId, client),
    env.DB.prepare('DELETE FROM backoff WHERE share_id = ? AND client = ? AND failures <= 0').bind(shareId, client),
  ]);
}

/** The right password: the client's back-off resets and the budget slot is returned. */
export function releaseOnSuccess(env: Env, shareId: string, client: string, r: { hour: number; day: number }): D1PreparedStatement[] {
  return [
    env.DB.prepare('DELETE FROM backoff WHERE share_id = ? AND client = ?').bind(shareId, client),
    env.DB.prepare(
      `UPDATE shares SET
         wp_hour_count = CASE WHEN wp_hour = ?2 AND wp_hour_count > 0 THEN wp_hour_count - 1 ELSE wp_hour_count END,
         wp_day_count = CASE WHEN wp_day = ?3 AND wp_day_count > 0 THEN wp_day_count - 1 ELSE wp_day_count END
       WHERE id = ?1`,
    ).bind(shareId, r.hour, r.day),
  ];
}
