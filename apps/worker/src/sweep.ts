// The cron sweep (every 5 minutes; DESIGN.md "Storage and server state"). Batched
// and idempotent: each category takes at most SWEEP_BATCH shares a run (a purge
// costs about five binding calls; an invocation may make 1000), and a share
// interrupted half-way is simply taken again next time.
//  - revoked shares: objects deleted (normally already done by the revoke);
//  - expired shares (expiry ends every grant), and exhausted shares once
//    last_grant_expires_at has passed (never under a live grant);
//  - shares not finalized within 24 hours: marked abandoned, uploads aborted;
//  - shares with no part sent within an hour: abandoned too (their quota comes back);
//  - purged shares keep their row (for the log) but lose link_pub, auth_pub, pw_salt;
//  - log rows past LOG_RETENTION_DAYS, spent challenges, dead grants, stale back-off.
import { UNFINALIZED_TTL_SECONDS } from '@sealdrop/shared';
import type { Env } from './env.ts';
import { config } from './lib/config.ts';
import { purgeShare } from './lib/shares.ts';
import { now } from './lib/time.ts';

export interface SweepReport {
  revoked: number;
  expired: number;
  abandoned: number;
  logRows: number;
}

const DAY = 24 * 3600_000;
/** An upload that has not sent one part this long after create is given up. */
export const EMPTY_UPLOAD_TTL_SECONDS = 3600;
const LOG_DELETE_BATCH = 5000;

async function ids(env: Env, sql: string, ...args: unknown[]): Promise<string[]> {
  const { results } = await env.DB.prepare(sql).bind(...args).all<{ id: string }>();
  return results.map((r) => r.id);
}

const logSweep = (env: Env, id: string, reason: string, t: number): D1PreparedStatement =>
  env.DB.prepare(`INSERT INTO access_log (share_id, event, at, outcome, detail) VALUES (?, 'sweep_delete', ?, 'ok', ?)`).bind(
    id,
    t,
    reason,
  );

export async function sweep(env: Env, t = now()): Promise<SweepReport> {
  const cfg = config(env);
  const batch = cfg.sweepBatch;
  const report: SweepReport = { revoked: 0, expired: 0, abandoned: 0, logRows: 0 };

  for (const id of await ids(env, `SELECT id FROM shares WHERE status = 'revoked' AND purged_at IS NULL LIMIT ?`, batch)) {
    await purgeShare(env, id, t, [logSweep(env, id, 'revoked', t)]);
    report.revoked++;
  }

  const dead = await env.DB.prepare(
    `SELECT id, CASE WHEN expires_at <= ?1 THEN 'expired' ELSE 'exhausted' END AS reason FROM shares
     WHERE status = 'ready' AND purged_at IS NULL
       AND (expires_at <= ?1 OR (downloads_used >= max_downloads AND last_grant_expires_at <= ?1))
     LIMIT ?2`,
  )
    .bind(t, batch)
    .all<{ id: string; reason: string }>();
  for (const { id, reason } of dead.results) {
    await purgeShare(env, id, t, [logSweep(env, id, reason, t)]);
    report.expired++;
  }

  const stale = await ids(
    env,
    `SELECT id FROM shares WHERE (status = 'uploading' AND created_at <= ?1) OR (status = 'abandoned' AND purged_at IS NULL) LIMIT ?2`,
    t - UNFINALIZED_TTL_SECONDS * 1000,
    batch,
  );
  for (const id of stale) {
    await env.DB.prepare(`UPDATE shares SET status = 'abandoned' WHERE id = ? AND status = 'uploading'`).bind(id).run();
    // A finalize that won the race keeps its share: purgeShare refuses a live one.
    if (await purgeShare(env, id, t, [logSweep(env, id, 'not finalized', t)])) report.abandoned++;
  }

  // Shares with not one part sent an hour after create give their reservation back now.
  const empty = await ids(
    env,
    `SELECT id FROM shares s WHERE status = 'uploading' AND created_at <= ?1
       AND NOT EXISTS (SELECT 1 FROM parts p WHERE p.share_id = s.id) LIMIT ?2`,
    t - EMPTY_UPLOAD_TTL_SECONDS * 1000,
    batch,
  );
  for (const id of empty) {
    const gone = await env.DB.prepare(
      `UPDATE shares SET status = 'abandoned' WHERE id = ?1 AND status = 'uploading'
         AND NOT EXISTS (SELECT 1 FROM parts WHERE share_id = ?1)`,
    )
      .bind(id)
      .run();
    if (gone.meta.changes && (await purgeShare(env, id, t, [logSweep(env, id, 'empty for an hour', t)]))) report.abandoned++;
  }

  const purged = await env.DB.prepare(
    `DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < ? LIMIT ${LOG_DELETE_BATCH})`,
  )
    .bind(t - cfg.logRetentionDays * DAY)
    .run();
  report.logRows = purged.meta.changes;

  await env.DB.batch([
    env.DB.prepare('DELETE FROM used_challenges WHERE expires_at < ?').bind(t),
    env.DB.prepare('DELETE FROM grants WHERE expires_at < ?').bind(t),
    env.DB.prepare('DELETE FROM backoff WHERE last_at < ?').bind(t - DAY),
  ]);
  return report;
}
