// The three authorization schemes of DESIGN.md: `Owner <ownerToken>`,
// `Grant <grant>` and `Bearer <api or admin token>`. Tokens are only ever read
// from the Authorization header, and compared as hashes or in constant time.
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv, Env } from '../env.ts';
import { equalSecret, sha256Hex } from '../lib/bytes.ts';
import { Fail } from '../lib/errors.ts';
import { writeLog } from '../lib/log.ts';
import { secretProblem, secretWeakness } from '../lib/secrets.ts';
import type { ShareRow } from '../lib/shares.ts';
import { now } from '../lib/time.ts';
import { ACCESS_JWT_HEADER, verifyAccessJwt } from './accessJwt.ts';
import { charge } from './rate-limit.ts';

export type Scheme = 'Owner' | 'Grant' | 'Bearer';

/** The credential of `scheme` in the Authorization header, or null. */
export function credential(c: Context<AppEnv>, scheme: Scheme): string | null {
  const h = c.req.header('Authorization');
  if (!h) return null;
  const m = /^([A-Za-z]+) +([\x21-\x7e]{1,512})$/.exec(h.trim());
  if (!m || m[1].toLowerCase() !== scheme.toLowerCase()) return null;
  return m[2];
}

export function requireCredential(c: Context<AppEnv>, scheme: Scheme): string {
  const v = credential(c, scheme);
  if (v === null) throw new Fail('unauthorized', `send Authorization: ${scheme} <token>`);
  return v;
}

/** The owner token must hash to the share's owner_hash. */
export async function checkOwner(token: string, share: ShareRow): Promise<boolean> {
  return equalSecret(await sha256Hex(token), share.owner_hash);
}

/** The bootstrap admin secret must be set and strong (lib/secrets.ts), else the admin plane is off. */
export function adminConfigured(env: Env): boolean {
  return secretWeakness(env.ADMIN_TOKEN) === null;
}

export interface TokenRow {
  id: string;
  label: string;
  scope: 'upload' | 'admin';
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  created_by: string | null;
  /** JSON array of `key:value` labels (migration 0008). */
  labels: string;
  /** Migration 0004. */
  last_used_at?: number | null;
}

/** Token hygiene: "last used" is kept to the minute, so a busy token does not write on every call. */
const LAST_USED_GRAIN_MS = 60_000;

/** A live minted token with this secret, or null. */
export async function lookupToken(env: Env, token: string): Promise<TokenRow | null> {
  if (token.length < 20) return null;
  const row = await env.DB.prepare('SELECT * FROM api_tokens WHERE token_hash = ?')
    .bind(await sha256Hex(token))
    .first<TokenRow>();
  const t = now();
  if (!row || row.revoked_at !== null || row.expires_at <= t) return null;
  if ((row.last_used_at ?? 0) <= t - LAST_USED_GRAIN_MS) {
    await env.DB.prepare('UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2 AND COALESCE(last_used_at, 0) <= ?3')
      .bind(t, row.id, t - LAST_USED_GRAIN_MS)
      .run();
  }
  return row;
}

/** Who an admin bearer token belongs to: 'bootstrap', a minted admin token's id, or null. */
export async function adminIdentity(env: Env, token: string): Promise<string | null> {
  if (adminConfigured(env) && (await equalSecret(token, env.ADMIN_TOKEN!))) return 'bootstrap';
  const row = await lookupToken(env, token);
  return row?.scope === 'admin' ? row.id : null;
}

/**
 * Admin routes: 503 unless ADMIN_TOKEN is set and strong; a bearer token that is
 * the bootstrap secret or a live admin-scope token; rate-limited per IP; every
 * call (and every refused one) written to the access log with the token id.
 */
export const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!adminConfigured(c.env)) {
    throw new Fail('unavailable', `the admin API is disabled: ${secretProblem('ADMIN_TOKEN', c.env.ADMIN_TOKEN)}`);
  }
  await charge(c, 'RL_ADMIN');
  const log = { env: c.env, req: c.req.raw, ip: c.var.ip };
  const action = `${c.req.method} ${new URL(c.req.url).pathname}`;
  const token = credential(c, 'Bearer');
  const jwt = token === null ? c.req.header(ACCESS_JWT_HEADER) : undefined;
  const access = jwt ? await verifyAccessJwt(c.env, jwt) : null;
  // A Cloudflare Access sign-in is logged by its email; bearer tokens keep working for automation.
  const who = token !== null ? await adminIdentity(c.env, token) : access?.ok ? `access:${access.email}` : null;
  if (who === null) {
    await writeLog(log, { event: 'admin', outcome: 'unauthorized', detail: access && !access.ok ? `${action} access-jwt: ${access.reason}` : action });
    throw new Fail('unauthorized', 'send Authorization: Bearer <admin token>');
  }
  c.set('tokenId', who);
  let outcome = 'ok';
  try {
    await next();
    if (c.res.status >= 400) outcome = String(c.res.status);
  } catch (e) {
    outcome = e instanceof Fail ? e.code : 'error';
    throw e;
  } finally {
    const shareId = /^\/api\/admin\/shares\/([A-Za-z0-9_-]{22})(\/|$)/.exec(new URL(c.req.url).pathname)?.[1] ?? null;
    await writeLog(log, { event: 'admin', outcome, detail: action, tokenId: who, shareId });
  }
};
