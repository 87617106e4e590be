// File requests (docs/PROTOCOL.md §6): create, public info, the owner's list of
// what arrived, closing (optionally revoking its shares), and the admin views.
// Shares are counted against a request in routes/shares.ts (POST /api/shares).
import {
  closeRequestQuery,
  createRequestRequest,
  type AdminRequestDetail,
  type AdminRequestsResponse,
  type CloseRequestResponse,
  type CreateRequestResponse,
  type RequestInfoResponse,
  type RequestSharesResponse,
} from '@sealdrop/shared';
import { b64uEncode, KeyFormatError, parseRecipient, randomBytes } from '@sealdrop/crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { adminAuth, credential } from '../middleware/auth.ts';
import { json } from '../middleware/json.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { equalSecret, sha256Hex } from '../lib/bytes.ts';
import { config } from '../lib/config.ts';
import { Fail } from '../lib/errors.ts';
import { writeLog } from '../lib/log.ts';
import { loadRequest, requestIdParam, requestShares, requireOpen, toAdminRequest, type RequestRow } from '../lib/requests.ts';
import { purgeInBackground } from '../lib/revoke.ts';
import { newShareId } from '../lib/shares.ts';
import { iso, now } from '../lib/time.ts';
import { decodeCursor, encodeCursor, query } from './admin.ts';
import { uploader } from './shares.ts';

const logCtx = (c: Context<AppEnv>) => ({ env: c.env, req: c.req.raw, ip: c.var.ip });

/** The request, if the Owner token in the header is the one it was created with. */
async function ownedRequest(c: Context<AppEnv>, id: string, token: string): Promise<RequestRow> {
  const r = await loadRequest(c.env, id);
  if (!r) throw new Fail('not_found', 'no such request');
  if (!(await equalSecret(await sha256Hex(token), r.owner_hash))) throw new Fail('forbidden', 'this owner token does not belong to this request');
  return r;
}

/** Runs adminAuth (503 / 401 / rate limit / admin log) for a route outside /api/admin; returns the token id. */
async function asAdmin(c: Context<AppEnv>): Promise<string> {
  let who = '';
  await adminAuth(c, async () => {
    who = c.var.tokenId;
  });
  return who;
}

const adminListQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const requestRoutes = new Hono<AppEnv>()
  .post('/api/requests', rateLimit('RL_CREATE'), json(createRequestRequest, 8 * 1024), async (c) => {
    const tokenId = await uploader(c);
    const body = c.req.valid('json');
    const cfg = config(c.env);
    let recipient;
    try {
      recipient = parseRecipient(body.recipient);
    } catch (e) {
      if (e instanceof KeyFormatError) throw new Fail('bad_request', `recipient: ${e.message}`);
      throw e;
    }
    if (body.expiresIn > cfg.maxExpirySeconds) throw new Fail('bad_request', `expiresIn: at most ${cfg.maxExpirySeconds} seconds`);
    if (body.maxBytes > cfg.maxShareBytes) throw new Fail('bad_request', `maxBytes: at most ${cfg.maxShareBytes} (maxShareBytes)`);

    const id = newShareId();
    const ownerToken = b64uEncode(randomBytes(32));
    const t = now();
    const expiresAt = t + body.expiresIn * 1000;
    await c.env.DB.prepare(
      `INSERT INTO requests (id, status, created_at, expires_at, recipient, fingerprint, max_shares, max_bytes, owner_hash, token_id)
       VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
      .bind(id, t, expiresAt, recipient.text, recipient.fingerprint, body.maxShares, body.maxBytes, await sha256Hex(ownerToken), tokenId)
      .run();
    await writeLog(logCtx(c), { event: 'request_create', detail: `request=${id} maxShares=${body.maxShares} maxBytes=${body.maxBytes}`, tokenId });
    return c.json({ id, ownerToken, expiresAt: iso(expiresAt) } satisfies CreateRequestResponse, 201);
  })

  .get('/api/requests/:rid', async (c) => {
    const id = requestIdParam(c.req.param('rid'));
    const r = requireOpen(await loadRequest(c.env, id), now());
    const res: RequestInfoResponse = {
      id,
      status: 'open',
      expiresAt: iso(r.expires_at),
      recipient: r.recipient,
      sharesLeft: r.max_shares - r.shares_used,
      bytesLeft: Math.max(0, r.max_bytes - r.bytes_used),
    };
    return c.json(res);
  })

  .get('/api/requests/:rid/shares', async (c) => {
    const id = requestIdParam(c.req.param('rid'));
    const token = credential(c, 'Owner');
    if (token === null) throw new Fail('unauthorized', 'send Authorization: Owner <request owner token>');
    await ownedRequest(c, id, token);
    return c.json({ shares: await requestShares(c.env, id, now(), true) } satisfies RequestSharesResponse);
  })

  .delete('/api/requests/:rid', async (c) => {
    const id = requestIdParam(c.req.param('rid'));
    const q = query(c, closeRequestQuery);
    const owner = credential(c, 'Owner');
    let by: string;
    if (owner !== null) {
      await ownedRequest(c, id, owner);
      by = 'owner';
    } else if (credential(c, 'Bearer') !== null) {
      by = await asAdmin(c);
      if (!(await loadRequest(c.env, id))) throw new Fail('not_found', 'no such request');
    } else {
      throw new Fail('unauthorized', 'send Authorization: Owner <request owner token> or Bearer <admin token>');
    }
    const t = now();
    const closed = await c.env.DB.prepare(
      `UPDATE requests SET status = 'revoked', revoked_at = ?1, revoked_by = ?2 WHERE id = ?3 AND status = 'open' RETURNING id`,
    )
      .bind(t, by, id)
      .first();
    if (closed) await writeLog(logCtx(c), { event: 'request_close', detail: `request=${id} by ${by}`, tokenId: by === 'owner' ? null : by });
    let ids: string[] = [];
    if (q.shares === 'revoke') {
      const { results } = await c.env.DB.prepare(
        `UPDATE shares SET status = 'revoked', revoked_at = ?1, revoked_by = ?2
         WHERE request_id = ?3 AND status IN ('uploading', 'ready') RETURNING id`,
      )
        .bind(t, by, id)
        .all<{ id: string }>();
      ids = results.map((r) => r.id);
      await writeLog(logCtx(c), { event: 'revoke', detail: `request-shares request=${id} count=${ids.length} by ${by}`, tokenId: by === 'owner' ? null : by });
      purgeInBackground(c.env, (p) => c.executionCtx.waitUntil(p), ids);
    }
    return c.json({ status: 'revoked', revokedShares: ids.length } satisfies CloseRequestResponse);
  })

  .get('/api/admin/requests', adminAuth, async (c) => {
    const q = query(c, adminListQuery);
    const limit = q.limit ?? 50;
    const [cAt, cId] = q.cursor ? decodeCursor(q.cursor) : [Number.MAX_SAFE_INTEGER, ''];
    const { results } = await c.env.DB.prepare(
      `SELECT * FROM requests WHERE (?1 = '' OR created_at < ?2 OR (created_at = ?2 AND id < ?1))
       ORDER BY created_at DESC, id DESC LIMIT ?3`,
    )
      .bind(cId, cAt, limit + 1)
      .all<RequestRow>();
    const t = now();
    const page = results.slice(0, limit);
    const last = page[page.length - 1];
    const res: AdminRequestsResponse = {
      requests: page.map((r) => toAdminRequest(r, t)),
      cursor: results.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
    return c.json(res);
  })

  .get('/api/admin/requests/:rid', adminAuth, async (c) => {
    const id = requestIdParam(c.req.param('rid'));
    const r = await loadRequest(c.env, id);
    if (!r) throw new Fail('not_found', 'no such request');
    const t = now();
    const res: AdminRequestDetail = { ...toAdminRequest(r, t), recipient: r.recipient, shares: await requestShares(c.env, id, t, false) };
    return c.json(res);
  });
