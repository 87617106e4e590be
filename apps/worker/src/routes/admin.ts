// The admin API (DESIGN.md "HTTP API", "Security posture"): behind adminAuth
// (503 without a strong ADMIN_TOKEN, bearer tokens only, every call logged with
// the token id).
import {
  adminLogQuery,
  adminSharesQuery,
  adminStatsQuery,
  createTokenRequest,
  deleteTokenQuery,
  revokeAllRequest,
  type AdminShareDetail,
  type AdminSharesResponse,
  type AdminStats,
  type ApiToken,
  type CreateTokenResponse,
  type DeleteTokenResponse,
  type LogCheckpoint,
  type LogPage,
  type LogRow,
  type Report,
  type RevokeAllResponse,
  type RevokeResponse,
  type TokensResponse,
} from '@sealdrop/shared';
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { adminAuth, type TokenRow } from '../middleware/auth.ts';
import { describeIssues, json } from '../middleware/json.ts';
import { b64uEncode, randomBytes, utf8Encode } from '@sealdrop/crypto';
import { b64uDecode, sha256Hex } from '../lib/bytes.ts';
import { Fail } from '../lib/errors.ts';
import { hasLabelSql, labelFields } from '../lib/labels.ts';
import { toLogRow, writeLog, type LogDbRow } from '../lib/log.ts';
import { toLogCheckpoint, type CheckpointRow } from '../lib/logchain.ts';
import { logExport } from '../lib/logexport.ts';
import { listDownloadTokens, mintDownloadToken, revokeDownloadToken, toDownloadApiToken } from '../lib/partner.ts';
import { shareIdParam } from '../lib/params.ts';
import { purgeInBackground, revokeAll, revokeShare } from '../lib/revoke.ts';
import { getFreeze } from '../lib/freeze.ts';
import { assertMayRevokeToken, killSwitch, mintingLimit } from '../lib/incident.ts';
import { incidentAdminRoutes } from './incident.ts';
import { STATUS_SQL, toAdminShare, type AdminShareRow } from '../lib/shares.ts';
import { iso, isoOrNull, now } from '../lib/time.ts';

export function query<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw new Fail('bad_request', describeIssues(r.error));
  return r.data;
}

const SHARE_COLUMNS = `s.*, (SELECT COUNT(*) FROM reports r WHERE r.share_id = s.id) AS report_count`;

/** Opaque list cursor: b64u of JSON [created_at, id] of the last row. */
export function encodeCursor(createdAt: number, id: string): string {
  return b64uEncode(utf8Encode(JSON.stringify([createdAt, id])));
}
export function decodeCursor(s: string): [number, string] {
  const bytes = b64uDecode(s);
  try {
    const v: unknown = bytes && JSON.parse(new TextDecoder().decode(bytes));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new Fail('bad_request', 'cursor: not a cursor this server gave out');
}

function toApiToken(r: TokenRow & { share_count?: number }): ApiToken {
  return {
    id: r.id,
    label: r.label,
    scope: r.scope,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    revokedAt: isoOrNull(r.revoked_at),
    ...labelFields(r.labels),
    lastUsedAt: isoOrNull(r.last_used_at ?? null),
    shares: r.share_count ?? 0,
    createdBy: r.created_by,
  };
}

export const adminRoutes = new Hono<AppEnv>()
  .use('/api/admin/*', adminAuth)

  .get('/api/admin/shares', async (c) => {
    const q = query(c, adminSharesQuery);
    const limit = q.limit ?? 50;
    const [cAt, cId] = q.cursor ? decodeCursor(q.cursor) : [Number.MAX_SAFE_INTEGER, ''];
    const where = [q.status ? `(${STATUS_SQL[q.status]})` : '1'];
    if (q.cursor) where.push('(s.created_at < ?2 OR (s.created_at = ?2 AND s.id < ?3))');
    if (q.label) where.push(hasLabelSql('s.labels', '?5'));
    const t = now();
    // ?1 now, ?2 ?3 the cursor, ?4 the page size (+1 to know whether more follow).
    const { results } = await c.env.DB.prepare(
      `SELECT ${SHARE_COLUMNS} FROM shares s WHERE ${where.join(' AND ')}
       ORDER BY s.created_at DESC, s.id DESC LIMIT ?4`,
    )
      .bind(t, cAt, cId, limit + 1, ...(q.label ? [q.label] : []))
      .all<AdminShareRow>();
    const page = results.slice(0, limit);
    const last = page[page.length - 1];
    const res: AdminSharesResponse = {
      shares: page.map((s) => toAdminShare(s, t)),
      cursor: results.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
    return c.json(res);
  })

  .get('/api/admin/shares/:id', async (c) => {
    const id = shareIdParam(c.req.param('id'));
    const [share, log, reports] = await c.env.DB.batch<Record<string, unknown>>([
      c.env.DB.prepare(`SELECT ${SHARE_COLUMNS} FROM shares s WHERE s.id = ?`).bind(id),
      c.env.DB.prepare('SELECT * FROM access_log WHERE share_id = ? ORDER BY id DESC LIMIT 1000').bind(id),
      c.env.DB.prepare('SELECT id, share_id, at, reason, ip FROM reports WHERE share_id = ? ORDER BY id DESC').bind(id),
    ]);
    const row = share.results[0] as unknown as AdminShareRow | undefined;
    if (!row) throw new Fail('not_found', 'no such share');
    const res: AdminShareDetail = {
      ...toAdminShare(row, now()),
      advisory: row.advisory ?? null,
      log: (log.results as unknown as LogDbRow[]).map(toLogRow),
      reports: (reports.results as { id: number; share_id: string; at: number; reason: string; ip: string | null }[]).map(
        (r): Report => ({ id: r.id, shareId: r.share_id, at: iso(r.at), reason: r.reason, ip: r.ip }),
      ),
    };
    return c.json(res);
  })

  .post('/api/admin/shares/:id/revoke', async (c) => {
    const id = shareIdParam(c.req.param('id'));
    await revokeShare({ env: c.env, req: c.req.raw, ip: c.var.ip }, id, c.var.tokenId);
    return c.json({ status: 'revoked' } satisfies RevokeResponse);
  })

  .post('/api/admin/revoke-all', json(revokeAllRequest, 1024), async (c) => {
    return c.json((await killSwitch(c, c.req.valid('json').tokens === true)) satisfies RevokeAllResponse);
  })

  .get('/api/admin/stats', async (c) => {
    const t = now();
    const day = t - 24 * 3600_000;
    // ?label=key:value counts only labelled shares and their log rows (lib/labels.ts).
    const { label } = query(c, adminStatsQuery);
    const sl = label ? ` AND ${hasLabelSql('labels', '?3')}` : '';
    const ll = label ? ` AND share_id IN (SELECT id FROM shares WHERE ${hasLabelSql('labels', '?3')})` : '';
    const row = await c.env.DB.prepare(
      `SELECT
         (SELECT COUNT(*) FROM shares WHERE ${STATUS_SQL.ready}${sl}) AS activeShares,
         (SELECT COALESCE(SUM(bytes), 0) FROM shares WHERE purged_at IS NULL AND status IN ('uploading', 'ready')${sl}) AS storedBytes,
         (SELECT COUNT(*) FROM access_log WHERE event = 'download' AND at > ?2${ll}) AS downloads24h,
         (SELECT COUNT(*) FROM access_log WHERE event IN ('bad_link', 'bad_password') AND at > ?2${ll}) AS failedAuth24h,
         (SELECT COUNT(*) FROM reports r JOIN shares s ON s.id = r.share_id
            WHERE s.status IN ('uploading', 'ready') AND s.purged_at IS NULL${label ? ` AND ${hasLabelSql('s.labels', '?3')}` : ''}) AS openReports,
         (SELECT COUNT(*) FROM access_log WHERE event = 'admin' AND outcome = 'unauthorized' AND at > ?2) AS failedAdminSignIns24h`,
    )
      .bind(t, day, ...(label ? [label] : []))
      .first<Omit<AdminStats, 'freeze'>>();
    return c.json({ ...row!, freeze: await getFreeze(c.env) } satisfies AdminStats);
  })

  .get('/api/admin/log', async (c) => {
    const q = query(c, adminLogQuery);
    const cond: string[] = [];
    const args: (string | number)[] = [];
    if (q.since) {
      cond.push('at >= ?');
      args.push(Date.parse(q.since));
    }
    if (q.until) {
      cond.push('at < ?');
      args.push(Date.parse(q.until));
    }
    if (q.share) {
      cond.push('share_id = ?');
      args.push(q.share);
    }
    if (q.event) {
      cond.push('event = ?');
      args.push(q.event);
    }
    if (q.label) {
      cond.push(`share_id IN (SELECT id FROM shares WHERE ${hasLabelSql('labels', '?')})`);
      args.push(q.label);
    }
    if (q.before) {
      cond.push('id < ?');
      args.push(Number(q.before));
    }
    const limit = q.limit ?? 1000;
    // One row more than asked tells whether an older page follows.
    args.push(limit + 1);
    // One batch (one transaction): the checkpoints cover exactly the sealed rows read.
    const [{ results }, { results: cps }] = await c.env.DB.batch<Record<string, unknown>>([
      c.env.DB.prepare(`SELECT * FROM access_log ${cond.length ? `WHERE ${cond.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).bind(...args),
      c.env.DB.prepare('SELECT * FROM log_checkpoints ORDER BY n'),
    ]);
    const rows = (results as unknown as LogDbRow[]).slice(0, limit).map(toLogRow);
    const more = results.length > limit;
    const cursor = more ? String(rows[rows.length - 1]!.id) : null;
    const checkpoints = (cps as unknown as CheckpointRow[]).map(toLogCheckpoint);
    const format = q.format ?? 'json';
    if (format === 'json') return c.json({ rows, cursor, checkpoints } satisfies LogPage<LogRow> & { checkpoints: LogCheckpoint[] });
    const stamp = iso(now()).slice(0, 19).replace(/[:T]/g, '-');
    const out = logExport(rows, checkpoints, format);
    return c.body(out.body, 200, {
      'Content-Type': out.contentType,
      'Content-Disposition': `attachment; filename="sealdrop-log-${stamp}.${out.extension}"`,
      ...(cursor ? { 'X-Sealdrop-Next-Before': cursor } : {}),
    });
  })

  .get('/api/admin/tokens', async (c) => {
    const { results } = await c.env.DB.prepare(
      `SELECT t.*, (SELECT COUNT(*) FROM shares s WHERE s.token_id = t.id) AS share_count
       FROM api_tokens t ORDER BY t.created_at DESC, t.id DESC`,
    ).all<TokenRow & { share_count: number }>();
    const partners = (await listDownloadTokens(c.env)).map(toDownloadApiToken);
    return c.json({ tokens: [...results.map(toApiToken), ...partners] } satisfies TokensResponse);
  })

  .post('/api/admin/tokens', json(createTokenRequest, 4096), async (c) => {
    const body = c.req.valid('json');
    const label = body.label.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
    if (!label) throw new Fail('bad_request', 'label: must have visible characters');

    const t = now();
    // Only the bootstrap mints admin tokens; a minted token mints nothing that outlives it.
    const ceiling = await mintingLimit(c.env, c.var.tokenId, body.scope);
    if (ceiling !== null && t + body.expiresIn * 1000 > ceiling) {
      throw new Fail('forbidden', `expiresIn: a token minted by ${c.var.tokenId} must expire by ${iso(ceiling)}, when that token does`);
    }
    if (body.scope === 'download') {
      // A partner's token: download only, kept apart from upload and admin tokens (lib/partner.ts).
      const { row, token } = await mintDownloadToken(c.env, { label, labels: body.labels ?? [], expiresIn: body.expiresIn, createdBy: c.var.tokenId });
      return c.json({ ...toDownloadApiToken(row), token } satisfies CreateTokenResponse, 201);
    }
    const token = `sd_${b64uEncode(randomBytes(32))}`;
    const row: TokenRow = {
      id: b64uEncode(randomBytes(9)),
      label,
      scope: body.scope,
      token_hash: await sha256Hex(token),
      created_at: t,
      expires_at: t + body.expiresIn * 1000,
      revoked_at: null,
      created_by: c.var.tokenId,
      labels: JSON.stringify(body.labels ?? []),
      last_used_at: null,
    };
    await c.env.DB.prepare(
      `INSERT INTO api_tokens (id, label, scope, token_hash, created_at, expires_at, revoked_at, created_by, labels)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
    )
      .bind(row.id, row.label, row.scope, row.token_hash, row.created_at, row.expires_at, row.created_by, row.labels)
      .run();
    return c.json({ ...toApiToken(row), token } satisfies CreateTokenResponse, 201);
  })

  .delete('/api/admin/tokens/:tid', async (c) => {
    const tid = c.req.param('tid');
    const q = query(c, deleteTokenQuery);
    if (!/^[A-Za-z0-9_-]{12}$/.test(tid)) throw new Fail('not_found', 'no such token');
    await assertMayRevokeToken(c.env, c.var.tokenId, tid);
    // The tokens it minted go with it (a revoked parent leaves no live successor).
    const row = await c.env.DB.prepare(
      `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2 OR created_by = ?2 RETURNING id`,
    )
      .bind(now(), tid)
      .all();
    if (!row.results.some((r) => r.id === tid)) {
      // A partner's download token: its access to every share ends with this answer.
      if (await revokeDownloadToken(c.env, tid)) return c.json({ ok: true, revokedShares: 0 } satisfies DeleteTokenResponse);
      throw new Fail('not_found', 'no such token');
    }
    // So do the partner download tokens it minted.
    await c.env.DB.prepare('UPDATE download_tokens SET revoked_at = COALESCE(revoked_at, ?1) WHERE created_by = ?2').bind(now(), tid).run();
    // A leaked upload token: what it created goes with it, in one statement.
    let ids: string[] = [];
    if (q.shares === 'revoke') {
      ids = await revokeAll(c.env, c.var.tokenId, { createdByToken: tid });
      await writeLog(
        { env: c.env, req: c.req.raw, ip: c.var.ip },
        { event: 'revoke', detail: `token-shares token=${tid} count=${ids.length}`, tokenId: c.var.tokenId },
      );
      purgeInBackground(c.env, (p) => c.executionCtx.waitUntil(p), ids);
    }
    return c.json({ ok: true, revokedShares: ids.length } satisfies DeleteTokenResponse);
  })

  .route('/', incidentAdminRoutes);
