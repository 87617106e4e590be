// Creating a share, the public share info (with a fresh challenge), and revoking.
import {
  createShareRequest,
  type CreateShareResponse,
  type RevokeResponse,
  type ShareInfoResponse,
} from '@sealdrop/shared';
import { Hono, type Context } from 'hono';
import { b64uEncode, isCiphertextSize, randomBytes } from '@sealdrop/crypto';
import type { AppEnv } from '../env.ts';
import { adminConfigured, adminIdentity, checkOwner, credential, lookupToken } from '../middleware/auth.ts';
import { json } from '../middleware/json.ts';
import { charge, rateLimit } from '../middleware/rate-limit.ts';
import { b64uDecode, sha256Hex } from '../lib/bytes.ts';
import { makeChallenge } from '../lib/challenge.ts';
import { heldBytes, heldBytesSql, quotaKey } from '../lib/client-quota.ts';
import { config } from '../lib/config.ts';
import { Fail } from '../lib/errors.ts';
import { assertNotFrozen } from '../lib/freeze.ts';
import { writeLog } from '../lib/log.ts';
import { shareIdParam } from '../lib/params.ts';
import { revokeShare } from '../lib/revoke.ts';
import { serverSecret } from '../lib/secrets.ts';
import { countAgainstRequest, REQUEST_HAS_ROOM } from '../lib/request-count.ts';
import { requestRefusal } from '../lib/requests.ts';
import { shareRules, storeShareRules } from '../lib/partner.ts';
import { loadShare, newShareId, requireLive } from '../lib/shares.ts';
import { isPublicKey } from '../lib/signatures.ts';
import { iso, now } from '../lib/time.ts';

const logCtx = (c: Context<AppEnv>) => ({ env: c.env, req: c.req.raw, ip: c.var.ip });

/** With UPLOAD_POLICY=token a live upload (or admin) token is required; a token sent in open mode must be valid too. */
export async function uploader(c: Context<AppEnv>): Promise<string | null> {
  const policy = config(c.env).uploadPolicy;
  const token = credential(c, 'Bearer');
  if (token === null) {
    if (policy === 'token') throw new Fail('unauthorized', 'this server needs an upload token: send Authorization: Bearer <token>');
    return null;
  }
  const row = await lookupToken(c.env, token);
  if (row) return row.id;
  if (adminConfigured(c.env) && (await adminIdentity(c.env, token)) === 'bootstrap') return 'bootstrap';
  throw new Fail('unauthorized', 'the upload token is unknown, expired or revoked');
}

export const shareRoutes = new Hono<AppEnv>()
  .post('/api/shares', rateLimit('RL_CREATE'), json(createShareRequest, 256 * 1024), async (c) => {
    const body = c.req.valid('json');
    // v1.1: a share sent to a file request is counted against it instead of needing a token.
    const requestId = body.request ?? null;
    const tokenId = requestId === null ? await uploader(c) : null;
    await assertNotFrozen(c.env, 'shares');
    const cfg = config(c.env);

    if (body.expiresIn > cfg.maxExpirySeconds) {
      throw new Fail('bad_request', `expiresIn: at most ${cfg.maxExpirySeconds} seconds`);
    }
    if (body.maxDownloads > cfg.maxDownloads) throw new Fail('bad_request', `maxDownloads: at most ${cfg.maxDownloads}`);
    if (body.files.length > cfg.maxFiles) throw new Fail('bad_request', `files: at most ${cfg.maxFiles}`);
    let total = 0;
    for (const [i, f] of body.files.entries()) {
      if (f.size > cfg.maxFileBytes) throw new Fail('too_large', `files.${i}.size: at most ${cfg.maxFileBytes} bytes`);
      if (!isCiphertextSize(f.size)) throw new Fail('bad_request', `files.${i}.size: not a Cobblestone ciphertext size`);
      total += f.size;
    }
    if (total > cfg.maxShareBytes) throw new Fail('too_large', `a share may hold at most ${cfg.maxShareBytes} bytes`);

    const linkPub = b64uDecode(body.linkPub, 32);
    const authPub = b64uDecode(body.authPub, 32);
    if (!linkPub || !isPublicKey(linkPub)) throw new Fail('bad_request', 'linkPub: not an Ed25519 public key');
    if (!authPub || !isPublicKey(authPub)) throw new Fail('bad_request', 'authPub: not an Ed25519 public key');
    if (body.linkPub === body.authPub) throw new Fail('bad_request', 'linkPub and authPub must differ');
    if (body.password && !b64uDecode(body.password.salt, 16)) throw new Fail('bad_request', 'password.salt: bad base64url');
    const rules = await shareRules(c.env, tokenId, body);

    const id = newShareId();
    const ownerToken = b64uEncode(randomBytes(32));
    // The reservation also fits this client's (address or token) share of the quota.
    const holder = await quotaKey(c.env, c.var.ip, tokenId);
    const t = now();
    const db = c.env.DB;
    let created: D1Result;
    try {
      [created] = await db.batch([
        // The row exists only if the global byte reservation fits (DESIGN.md "Quotas").
        db
          .prepare(
            `INSERT INTO shares (id, status, created_at, expires_in, max_downloads, link_pub, auth_pub, pw_salt, kdf,
               has_password, owner_hash, token_id, bytes, file_count, part_bytes, request_id, quota_key)
             SELECT ?1, 'uploading', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?16, ?17
             FROM quota WHERE id = 1 AND reserved + ?12 <= ?15 AND (?16 IS NULL OR ${REQUEST_HAS_ROOM})
               AND ${heldBytesSql('?17')} + ?12 <= ?18`,
          )
          .bind(
            id,
            t,
            body.expiresIn,
            body.maxDownloads,
            body.linkPub,
            body.authPub,
            body.password?.salt ?? null,
            body.password ? JSON.stringify(body.password.kdf) : null,
            body.password ? 1 : 0,
            await sha256Hex(ownerToken),
            tokenId,
            total,
            body.files.length,
            cfg.partBytes,
            cfg.quotaBytes,
            requestId,
            holder,
            cfg.clientQuotaBytes,
          ),
        db.prepare('UPDATE quota SET reserved = reserved + ?2 WHERE id = 1 AND EXISTS (SELECT 1 FROM shares WHERE id = ?1)').bind(id, total),
        db
          .prepare(
            `INSERT INTO files (share_id, idx, size)
             SELECT ?1, CAST(key AS INTEGER), value FROM json_each(?2) WHERE EXISTS (SELECT 1 FROM shares WHERE id = ?1)`,
          )
          .bind(id, JSON.stringify(body.files.map((f) => f.size))),
        storeShareRules(c.env, id, rules),
        // The sender's opt-in: finalize then takes (and requires) one SHA-256 per file.
        ...(body.publishSha256 ? [db.prepare(`UPDATE shares SET sha256s = '[]' WHERE id = ?`).bind(id)] : []),
        ...(requestId === null ? [] : [countAgainstRequest(db, id, requestId, total)]),
      ]);
    } catch (e) {
      if (String(e).includes('UNIQUE')) throw new Fail('conflict', 'these keys belong to another share: make a new link secret');
      throw e;
    }
    if (!created.meta.changes) {
      if (requestId !== null) {
        const refusal = await requestRefusal(c.env, requestId, total, t);
        if (refusal) throw refusal;
      }
      if ((await heldBytes(c.env, holder)) + total > cfg.clientQuotaBytes) {
        throw new Fail('too_large', 'your uploads already hold as many bytes as one client may: finish or revoke them first');
      }
      throw new Fail('too_large', 'the server has no room for this share right now');
    }
    if (requestId !== null) await writeLog(logCtx(c), { shareId: id, event: 'request_share', detail: `request=${requestId} bytes=${total}` });
    await writeLog(logCtx(c), {
      shareId: id,
      event: 'create',
      detail: `files=${body.files.length} bytes=${total}${body.password ? ' password' : ''}${body.publishSha256 ? ' publish-sha256' : ''}`,
      tokenId,
    });
    return c.json({ id, ownerToken, partBytes: cfg.partBytes } satisfies CreateShareResponse, 201);
  })

  .get('/api/shares/:id', async (c) => {
    const id = shareIdParam(c.req.param('id'));
    const t = now();
    const s = requireLive(await loadShare(c.env, id), t);
    const res: ShareInfoResponse = {
      id,
      status: 'ready',
      expiresAt: iso(s.expires_at!),
      password: s.pw_salt ? { salt: s.pw_salt, kdf: JSON.parse(s.kdf!) } : null,
      challenge: await makeChallenge(serverSecret(c.env), id, t),
      recipients: s.recipients === null ? null : JSON.parse(s.recipients),
      ...(s.require_label ? { requiresToken: true } : {}),
    };
    return c.json(res);
  })

  .delete('/api/shares/:id', async (c) => {
    const id = shareIdParam(c.req.param('id'));
    const owner = credential(c, 'Owner');
    const bearer = credential(c, 'Bearer');
    let by: string;
    if (owner !== null) {
      const s = await loadShare(c.env, id);
      if (!s) throw new Fail('not_found', 'no such share');
      if (!(await checkOwner(owner, s))) throw new Fail('forbidden', 'this owner token does not belong to this share');
      by = 'owner';
    } else if (bearer !== null) {
      if (!adminConfigured(c.env)) throw new Fail('unavailable', 'the admin API is disabled');
      await charge(c, 'RL_ADMIN');
      const who = await adminIdentity(c.env, bearer);
      if (who === null) {
        await writeLog(logCtx(c), { event: 'admin', outcome: 'unauthorized', detail: `DELETE /api/shares/${id}` });
        throw new Fail('unauthorized', 'send Authorization: Owner <ownerToken> or Bearer <admin token>');
      }
      by = who;
      await writeLog(logCtx(c), { shareId: id, event: 'admin', detail: `DELETE /api/shares/${id}`, tokenId: who });
    } else {
      throw new Fail('unauthorized', 'send Authorization: Owner <ownerToken> or Bearer <admin token>');
    }
    await revokeShare(logCtx(c), id, by);
    return c.json({ status: 'revoked' } satisfies RevokeResponse);
  });
