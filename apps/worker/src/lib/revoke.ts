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

/** Which shares a bulk revocation reaches (README "Incident response"). */
export type Scope =
  | { scope: 'all' }
  | { scope: 'token'; token: string }
  | { scope: 'label'; label: string }
  | { scope: 'window'; since: number; until: number };

/** Live means uploading, or ready and neither expired nor exhausted (?1 is now). */
const LIVE = `(status = 'uploading' OR (status = 'ready' AND expires_at > ?1 AND downloads_used < max_downloads))`;

/** The scope as SQL on shares, its parameters numbered from `first`. */
function scopeSql(s: Scope, first: number): { sql: string; args: (string | number)[] } {
  switch (s.scope) {
    case 'all':
      return { sql: '1', args: [] };
    case 'token':
      return { sql: `token_id = ?${first}`, args: [s.token] };
    case 'label':
      // A partner label (`partner:acme`) the share carries, inherited from its token or
      // given at create; or the name of the upload tokens that made it.
      return {
        sql: `(EXISTS (SELECT 1 FROM json_each(shares.labels) WHERE value = ?${first})
               OR token_id IN (SELECT id FROM api_tokens WHERE label = ?${first}))`,
        args: [s.label],
      };
    case 'window':
      return { sql: `created_at >= ?${first} AND created_at < ?${first + 1}`, args: [s.since, s.until] };
  }
}

export interface BulkRevokeResult {
  /** Share ids revoked now (dry run: empty). */
  ids: string[];
  revoked: number;
  grantsEnded: number;
  purgePending: number;
}

/**
 * Revokes the live shares of a scope and ends every grant of the scope's shares
 * (exhausted shares keep their state, their running grants still end), in one
 * transaction: state first, so a repeat after a lost answer or a dead invocation
 * finds nothing left to relabel and the sweep deletes what the purge did not.
 * Expired and exhausted shares keep their status and history. `dryRun` counts only.
 */
export async function revokeScope(
  env: Env,
  by: string,
  scope: Scope,
  opts: { dryRun?: boolean; advisory?: string | null } = {},
): Promise<BulkRevokeResult> {
  const t = now();
  const db = env.DB;
  const inScope = scopeSql(scope, 2);
  const pending = db
    .prepare(`SELECT COUNT(*) AS n FROM shares WHERE status = 'revoked' AND purged_at IS NULL AND ${scopeSql(scope, 1).sql}`)
    .bind(...scopeSql(scope, 1).args);
  if (opts.dryRun) {
    const [live, grants, pend] = await db.batch<{ n: number }>([
      db.prepare(`SELECT COUNT(*) AS n FROM shares WHERE ${LIVE} AND ${inScope.sql}`).bind(t, ...inScope.args),
      db
        .prepare(`SELECT COUNT(*) AS n FROM grants WHERE expires_at > ?1 AND share_id IN (SELECT id FROM shares WHERE ${inScope.sql})`)
        .bind(t, ...inScope.args),
      pending,
    ]);
    return { ids: [], revoked: live.results[0]!.n, grantsEnded: grants.results[0]!.n, purgePending: pend.results[0]!.n };
  }
  const upd = scopeSql(scope, 4);
  const inScope1 = scopeSql(scope, 1);
  const inScope3 = scopeSql(scope, 3);
  const liveGrants = db
    .prepare(
      `SELECT COUNT(*) AS n FROM grants WHERE expires_at > ?1
       AND share_id IN (SELECT id FROM shares WHERE status IN ('uploading', 'ready') AND ${inScope.sql})`,
    )
    .bind(t, ...inScope.args);
  const [grants, updated, , , pend] = await db.batch([
    liveGrants,
    db
      .prepare(
        `UPDATE shares SET status = 'revoked', revoked_at = ?1, revoked_by = ?2, advisory = COALESCE(?3, advisory)
         WHERE ${LIVE} AND ${upd.sql} RETURNING id`,
      )
      .bind(t, by, opts.advisory ?? null, ...upd.args),
    // The shares still ready in scope are expired or exhausted and keep their status. An
    // exhausted one may still be streaming to its last grant: that grant dies here too, and
    // revoked_at/revoked_by record who ended it, so its resume is told "revoked" (410),
    // not that a grant the server signed is unknown (401); the sweep may purge it now.
    db
      .prepare(
        `UPDATE shares SET revoked_at = ?1, revoked_by = ?2, last_grant_expires_at = MIN(last_grant_expires_at, ?1)
         WHERE status = 'ready' AND expires_at > ?1 AND ${inScope3.sql}
           AND EXISTS (SELECT 1 FROM grants g WHERE g.share_id = shares.id AND g.expires_at > ?1)`,
      )
      .bind(t, by, ...inScope3.args),
    // A revoked share's grants die with its status; those of the shares still ready are deleted.
    db.prepare(`DELETE FROM grants WHERE share_id IN (SELECT id FROM shares WHERE status = 'ready' AND ${inScope1.sql})`).bind(...inScope1.args),
    pending,
  ]);
  const ids = (updated.results as { id: string }[]).map((r) => r.id);
  return { ids, revoked: ids.length, grantsEnded: (grants.results[0] as { n: number }).n, purgePending: (pend.results[0] as { n: number }).n };
}

/** Every live share revoked, or only those an upload token created (DELETE /api/admin/tokens/:id?shares=revoke). */
export async function revokeAll(env: Env, by: string, opts: { createdByToken?: string } = {}): Promise<string[]> {
  const scope: Scope = opts.createdByToken !== undefined ? { scope: 'token', token: opts.createdByToken } : { scope: 'all' };
  return (await revokeScope(env, by, scope)).ids;
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
