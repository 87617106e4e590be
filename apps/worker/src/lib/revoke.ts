// Revocation, by the owner or an admin: a conditional UPDATE from a live state,
// then the share's objects are deleted and its open uploads aborted at once.
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';
import { writeLog, type LogContext } from './log.ts';
import { loadShare, purgeShare } from './shares.ts';
import { now } from './time.ts';

/** `by` is 'owner', 'bootstrap' or an admin token id. */
export async function revokeShare(ctx: LogContext, id: string, by: string): Promise<void> {
  const t = now();
  const row = await ctx.env.DB.prepare(
    `UPDATE shares SET status = 'revoked', revoked_at = ?1, revoked_by = ?2
     WHERE id = ?3 AND status IN ('uploading', 'ready') RETURNING id`,
  )
    .bind(t, by, id)
    .first();
  if (!row) {
    const s = await loadShare(ctx.env, id);
    if (!s || s.status === 'abandoned') throw new Fail('not_found', 'no such share');
    // Already revoked: the answer is the same (idempotent); make sure nothing is left.
    if (s.purged_at === null) await purgeShare(ctx.env, id, t);
    return;
  }
  await writeLog(ctx, { shareId: id, event: 'revoke', detail: `by ${by}`, tokenId: by === 'owner' ? null : by });
  await purgeShare(ctx.env, id, t);
}

/**
 * Every uploading and ready share revoked in one statement, or only those an
 * upload token created; objects go with purgeInBackground and the next sweeps.
 */
export async function revokeAll(env: Env, by: string, opts: { createdByToken?: string } = {}): Promise<string[]> {
  const byToken = opts.createdByToken !== undefined;
  const { results } = await env.DB.prepare(
    `UPDATE shares SET status = 'revoked', revoked_at = ?1, revoked_by = ?2
     WHERE status IN ('uploading', 'ready') ${byToken ? 'AND token_id = ?3' : ''} RETURNING id`,
  )
    .bind(now(), by, ...(byToken ? [opts.createdByToken] : []))
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Purges a bulk revocation starts at once (about five binding calls each); the sweep does the rest. */
const INLINE_PURGES = 50;

/** Deletes the objects of shares just revoked in bulk, after the response (their grants died with the UPDATE). */
export function purgeInBackground(env: Env, waitUntil: (p: Promise<unknown>) => void, ids: string[]): void {
  waitUntil(
    (async () => {
      for (const id of ids.slice(0, INLINE_PURGES)) await purgeShare(env, id, now()).catch(() => {});
    })(),
  );
}
