// Partner download tokens (scope `download`): issued to one external party with
// labels; a share with `require_label` opens only for a recipient who presents,
// next to the link and access signatures, a live download token carrying that
// label. The grant remembers the token, so every file request re-checks it:
// revoking the token ends the partner's access to every share at once.
import { MAX_LABELS, PARTNER_ERROR_MESSAGES, type ApiToken, type CreateShareRequest, type PolicyScope } from '@sealdrop/shared';
import type { Context } from 'hono';
import type { AppEnv, Env } from '../env.ts';
import { credential } from '../middleware/auth.ts';
import { b64uEncode, randomBytes } from '@sealdrop/crypto';
import { sha256Hex } from './bytes.ts';
import { Fail } from './errors.ts';
import { labelFields, mergeLabels, parseLabels } from './labels.ts';
import { writeLog, type LogContext } from './log.ts';
import { normaliseCidr } from './places.ts';
import { applyPolicy, policy } from './policy.ts';
import { iso, isoOrNull, now } from './time.ts';

export interface DownloadTokenRow {
  id: string;
  label: string;
  labels: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  created_by: string | null;
  last_used_at: number | null;
}

/** Download tokens are told apart from upload and admin tokens at a glance. */
export const DOWNLOAD_TOKEN_PREFIX = 'sdd_';

export async function mintDownloadToken(
  env: Env,
  o: { label: string; labels: string[]; expiresIn: number; createdBy: string },
): Promise<{ row: DownloadTokenRow; token: string }> {
  const token = `${DOWNLOAD_TOKEN_PREFIX}${b64uEncode(randomBytes(32))}`;
  const t = now();
  const row: DownloadTokenRow = {
    id: b64uEncode(randomBytes(9)),
    label: o.label,
    labels: JSON.stringify(o.labels),
    token_hash: await sha256Hex(token),
    created_at: t,
    expires_at: t + o.expiresIn * 1000,
    revoked_at: null,
    created_by: o.createdBy,
    last_used_at: null,
  };
  await env.DB.prepare(
    `INSERT INTO download_tokens (id, label, labels, token_hash, created_at, expires_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(row.id, row.label, row.labels, row.token_hash, row.created_at, row.expires_at, row.created_by)
    .run();
  return { row, token };
}

/** Revokes a download token by id; false when there is none. Idempotent. */
export async function revokeDownloadToken(env: Env, id: string): Promise<boolean> {
  const row = await env.DB.prepare('UPDATE download_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING id')
    .bind(now(), id)
    .first();
  return row !== null;
}

export function toDownloadApiToken(r: DownloadTokenRow): ApiToken {
  return {
    id: r.id,
    label: r.label,
    scope: 'download',
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    revokedAt: isoOrNull(r.revoked_at),
    ...labelFields(r.labels),
    lastUsedAt: isoOrNull(r.last_used_at),
    // A download token creates no shares.
    shares: 0,
    createdBy: r.created_by,
  };
}

export async function listDownloadTokens(env: Env): Promise<DownloadTokenRow[]> {
  const { results } = await env.DB.prepare('SELECT * FROM download_tokens ORDER BY created_at DESC, id DESC').all<DownloadTokenRow>();
  return results;
}

/**
 * The partner check of /manifest and /download, after the link proof: null when
 * the share needs no partner token, else the id of the live download token that
 * carries the share's label. Refusals are logged and answered with their own codes.
 */
export async function requirePartner(
  c: Context<AppEnv>,
  log: LogContext,
  share: { id: string; require_label: string | null },
  action: string,
): Promise<string | null> {
  if (!share.require_label) return null;
  const token = credential(c, 'Bearer');
  if (token === null) {
    await writeLog(log, { shareId: share.id, event: 'partner_refused', outcome: 'partner_token_required', detail: action });
    throw new Fail('partner_token_required', PARTNER_ERROR_MESSAGES.partner_token_required);
  }
  const t = now();
  const row = await c.env.DB.prepare(
    `SELECT id, last_used_at FROM download_tokens
     WHERE token_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2
       AND EXISTS (SELECT 1 FROM json_each(labels) WHERE json_each.value = ?3)`,
  )
    .bind(await sha256Hex(token), t, share.require_label)
    .first<{ id: string; last_used_at: number | null }>();
  if (!row) {
    await writeLog(log, { shareId: share.id, event: 'partner_refused', outcome: 'partner_token_refused', detail: action });
    throw new Fail('partner_token_refused', PARTNER_ERROR_MESSAGES.partner_token_refused);
  }
  // "Last access" for the access report, written at most once a minute per token.
  if (row.last_used_at === null || row.last_used_at < t - 60_000) {
    await c.env.DB.prepare('UPDATE download_tokens SET last_used_at = ? WHERE id = ?').bind(t, row.id).run();
  }
  return row.id;
}

/** The statement that ties a new grant to the partner token that obtained it (joins the /download batch). */
export function bindGrantToPartner(env: Env, gid: string, partnerTokenId: string | null): D1PreparedStatement {
  return env.DB.prepare('UPDATE grants SET partner_token_id = ?2 WHERE gid = ?1').bind(gid, partnerTokenId);
}

export interface ShareRules {
  labels: string;
  requireLabel: string | null;
  countries: string | null;
  networks: string | null;
}

/** The labels and rules a new share gets: its creator token's labels plus its own, checked CIDRs. */
export async function shareRules(env: Env, tokenId: string | null, body: CreateShareRequest): Promise<ShareRules> {
  let inherited: string[] = [];
  let scope: PolicyScope = tokenId === null ? 'open' : 'admin';
  if (tokenId && tokenId !== 'bootstrap') {
    const t = await env.DB.prepare('SELECT labels, scope FROM api_tokens WHERE id = ?').bind(tokenId).first<{ labels: string; scope: PolicyScope }>();
    inherited = parseLabels(t?.labels);
    scope = t?.scope ?? 'upload';
  }
  const labels = mergeLabels(inherited, body.labels);
  if (labels.length > MAX_LABELS) throw new Fail('bad_request', `labels: at most ${MAX_LABELS}, counting those of the upload token`);
  let networks: string[] | null = null;
  if (body.networks) {
    networks = body.networks.map((n, i) => {
      const c = normaliseCidr(n);
      if (!c) throw new Fail('bad_request', `networks.${i}: not an IPv4 or IPv6 CIDR`);
      return c;
    });
  }
  const rules = {
    labels: JSON.stringify(labels),
    requireLabel: body.requireLabel ?? null,
    countries: body.countries ? JSON.stringify([...new Set(body.countries)]) : null,
    networks: networks ? JSON.stringify(networks) : null,
  };
  return applyPolicy(policy(env), scope, body, rules);
}

export function storeShareRules(env: Env, id: string, r: ShareRules): D1PreparedStatement {
  return env.DB.prepare('UPDATE shares SET labels = ?2, require_label = ?3, countries = ?4, networks = ?5 WHERE id = ?1').bind(
    id,
    r.labels,
    r.requireLabel,
    r.countries,
    r.networks,
  );
}
