// Admin rules and actions of incident response: who may mint and revoke which
// tokens (a minted token cannot outlive or out-rank its minter), and the kill switch.
import type { RevokeAllResponse } from '@sealdrop/shared';
import type { Context } from 'hono';
import type { AppEnv, Env } from '../env.ts';
import { Fail } from './errors.ts';
import { writeLog } from './log.ts';
import { purgeInBackground, revokeScope, type Scope } from './revoke.ts';
import { now } from './time.ts';

/**
 * The latest expiry (ms) a token minted by `minter` may have: null for the
 * bootstrap (only the 366-day cap of the schema). A minted admin token mints no
 * admin tokens, and upload (or partner download) tokens only up to its own expiry.
 */
export async function mintingLimit(env: Env, minter: string, scope: 'upload' | 'admin' | 'download'): Promise<number | null> {
  if (minter === 'bootstrap') return null;
  if (scope === 'admin') throw new Fail('forbidden', 'only the bootstrap token (ADMIN_TOKEN) mints admin tokens');
  const row = await env.DB.prepare('SELECT expires_at FROM api_tokens WHERE id = ?').bind(minter).first<{ expires_at: number }>();
  if (!row) throw new Fail('forbidden', 'the minting token no longer exists');
  return row.expires_at;
}

/**
 * A minted admin token may revoke upload tokens and itself; admin tokens the
 * bootstrap minted (the bootstrap's own trail of who may administer) only the bootstrap.
 */
export async function assertMayRevokeToken(env: Env, who: string, tid: string): Promise<void> {
  if (who === 'bootstrap' || who === tid) return;
  const row = await env.DB.prepare('SELECT scope FROM api_tokens WHERE id = ?').bind(tid).first<{ scope: string }>();
  // Not an api token: a partner's download token (any admin may revoke one) or none (404 later).
  if (!row) return;
  if (row.scope === 'admin') throw new Fail('forbidden', 'only the bootstrap token (ADMIN_TOKEN) revokes admin tokens');
}

/**
 * Every live minted token `who` may revoke, in one batch: API tokens (a minted admin
 * token revokes upload tokens only) and partner download tokens (any admin revokes
 * those), so no leaked token of either kind opens anything after the kill switch.
 */
async function revokeTokens(env: Env, who: string, t: number): Promise<{ api: number; download: number }> {
  const [api, download] = await env.DB.batch([
    env.DB.prepare(
      `UPDATE api_tokens SET revoked_at = ?1 WHERE revoked_at IS NULL AND expires_at > ?1 ${who === 'bootstrap' ? '' : `AND scope = 'upload'`}`,
    ).bind(t),
    env.DB.prepare('UPDATE download_tokens SET revoked_at = ?1 WHERE revoked_at IS NULL AND expires_at > ?1').bind(t),
  ]);
  return { api: api!.meta.changes, download: download!.meta.changes };
}

const logCtx = (c: Context<AppEnv>) => ({ env: c.env, req: c.req.raw, ip: c.var.ip });

/** A bulk revocation as the admin API runs it: revoke, log what was done, purge after the answer. */
export async function runRevoke(c: Context<AppEnv>, scope: Scope, advisory: string | null, what: string) {
  const r = await revokeScope(c.env, c.var.tokenId, scope, { advisory });
  await writeLog(logCtx(c), {
    event: 'revoke',
    detail: `${what} count=${r.revoked} grants=${r.grantsEnded} pending=${r.purgePending}`,
    tokenId: c.var.tokenId,
  });
  purgeInBackground(c.env, (p) => c.executionCtx.waitUntil(p), r.ids);
  return r;
}

/**
 * The kill switch. Tokens first (no new share from a leaked token), then every
 * live share and every grant in one transaction. Safe to repeat: a second run
 * revokes nothing twice and reports what is still being purged.
 */
export async function killSwitch(c: Context<AppEnv>, tokens: boolean): Promise<RevokeAllResponse> {
  const t = tokens ? await revokeTokens(c.env, c.var.tokenId, now()) : { api: 0, download: 0 };
  const r = await runRevoke(c, { scope: 'all' }, null, `revoke-all tokens=${t.api} download_tokens=${t.download}`);
  return { revoked: r.revoked, grantsEnded: r.grantsEnded, purgePending: r.purgePending, tokensRevoked: t.api, downloadTokensRevoked: t.download };
}
