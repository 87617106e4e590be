// The recipient's two signed calls (DESIGN.md "Access protocol"): /manifest reads
// the encrypted manifest and consumes nothing; /download takes one download in one
// D1 batch and returns a grant. Checks, in order: the share's state (404/410), the
// challenge (401), the link signature (401, charged only to a per-IP limit, nothing
// written for the share), the back-off and budget (429; for a password, a slot of each
// is reserved atomically before verifying), the access signature (403).
import {
  accessRequest,
  MAX_GRANT_SECONDS,
  type AccessRequest,
  type DownloadResponse,
  type ManifestResponse,
} from '@sealdrop/shared';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { json } from '../middleware/json.ts';
import { charge } from '../middleware/rate-limit.ts';
import { b64uEncode, utf8Encode } from '@sealdrop/crypto';
import { b64uDecode, hmac } from '../lib/bytes.ts';
import { releaseOnSuccess, reserveAttempt } from '../lib/attempts.ts';
import { checkChallenge, type CheckedChallenge } from '../lib/challenge.ts';
import { Fail } from '../lib/errors.ts';
import { makeGrant, newGrantId } from '../lib/grant.ts';
import { assertNotFrozen } from '../lib/freeze.ts';
import { bindGrantToPartner, requirePartner } from '../lib/partner.ts';
import { checkPlace } from '../lib/places.ts';
import { logStatement, writeLog, type LogContext } from '../lib/log.ts';
import { shareIdParam } from '../lib/params.ts';
import { serverSecret } from '../lib/secrets.ts';
import { loadShare, objectKey, requireLive, type ShareRow } from '../lib/shares.ts';
import { verifyAccessSignature, type AccessAction } from '../lib/signatures.ts';
import { iso, now } from '../lib/time.ts';

export { backoffSeconds } from '../lib/attempts.ts';

interface Authorized {
  share: ShareRow;
  challenge: CheckedChallenge;
  log: LogContext;
  t: number;
  /** The partner download token presented, when the share needs one. */
  partnerTokenId: string | null;
}

/**
 * `first` (the freeze check of /download) runs alongside the share's read and is
 * answered before it: one D1 round trip less, the same answer.
 */
async function authorize(c: Context<AppEnv>, action: AccessAction, body: AccessRequest, first?: () => Promise<void>): Promise<Authorized> {
  const id = shareIdParam(c.req.param('id'));
  const t = now();
  const env = c.env;
  const log: LogContext = { env, req: c.req.raw, ip: c.var.ip };
  const [, row] = await Promise.allSettled([first?.(), loadShare(env, id)]).then(settled);
  const share = requireLive(row, t);
  await checkPlace(log, id, share, action);
  const secret = serverSecret(env);

  const challenge = await checkChallenge(secret, id, body.challenge, t);
  if (!challenge) throw new Fail('unauthorized', `the challenge is invalid or expired: GET /api/shares/${id} for a new one`);

  // Link proof. A stranger who only knows the id ends here, with no per-share write.
  const linkSignature = b64uDecode(body.linkSignature, 64);
  const linkPub = share.link_pub ? b64uDecode(share.link_pub, 32) : null;
  if (!linkSignature || !linkPub || !verifyAccessSignature(linkPub, 'link', action, id, body.challenge, linkSignature)) {
    await charge(c, 'RL_BAD_LINK');
    await writeLog(log, { event: 'bad_link', outcome: 'unauthorized', detail: action });
    throw new Fail('unauthorized', 'the link is damaged or incomplete');
  }
  const partnerTokenId = await requirePartner(c, log, share, action);

  // Wrong-password back-off per share and client (IPv6 by /64), keyed by a MAC of the address,
  // and the share's budget: a slot of each is reserved before verifying (lib/attempts.ts).
  // Without a password the link proof already derives the access key: nothing to guess.
  const client = b64uEncode((await hmac(secret, 'backoff client', utf8Encode(c.var.ip.key))).slice(0, 16));
  const slot = share.has_password ? await reserveAttempt(env, id, client, t) : null;
  if (slot && !slot.ok) {
    await writeLog(log, { shareId: id, event: 'rate_limited', outcome: 'rate_limited', detail: `${action} ${slot.reason}` });
    const message =
      slot.reason === 'backoff'
        ? 'too many wrong passwords: wait before trying again'
        : 'this share has had too many wrong passwords: try again later';
    throw new Fail('rate_limited', message, slot.retryMs / 1000);
  }

  const signature = b64uDecode(body.signature, 64);
  const authPub = share.auth_pub ? b64uDecode(share.auth_pub, 32) : null;
  if (!signature || !authPub || !verifyAccessSignature(authPub, 'access', action, id, body.challenge, signature)) {
    // The reserved slots stay taken: they are this failure's count.
    await env.DB.batch([
      env.DB.prepare('UPDATE shares SET wrong_passwords = wrong_passwords + 1 WHERE id = ?').bind(id),
      logStatement(log, { shareId: id, event: 'bad_password', outcome: 'forbidden', detail: action }, t),
    ]);
    throw new Fail('forbidden', 'wrong password');
  }
  if (slot) await env.DB.batch(releaseOnSuccess(env, id, client, slot));
  return { share, challenge, log, t, partnerTokenId };
}

/** The values of settled promises in order, or the first one's (in order) error. */
function settled<T extends unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}

async function readManifest(c: Context<AppEnv>, id: string): Promise<string> {
  const obj = await c.env.BUCKET.get(objectKey(id, 'manifest'));
  if (!obj) throw new Fail('not_found', 'no such share');
  return b64uEncode(new Uint8Array(await obj.arrayBuffer()));
}

export const accessRoutes = new Hono<AppEnv>()
  .post('/api/shares/:id/manifest', json(accessRequest, 4096), async (c) => {
    const { share, log, partnerTokenId } = await authorize(c, 'manifest', c.req.valid('json'));
    // The object read and the log write run together (D1 and R2: no order between them).
    const [manifest] = await Promise.allSettled([
      readManifest(c, share.id),
      writeLog(log, { shareId: share.id, event: 'manifest', tokenId: partnerTokenId }),
    ]).then(settled);
    const res: ManifestResponse = {
      manifest,
      downloadsLeft: share.max_downloads - share.downloads_used,
      expiresAt: iso(share.expires_at!),
    };
    return c.json(res);
  })

  .post('/api/shares/:id/download', json(accessRequest, 4096), async (c) => {
    const { share, challenge, log, t, partnerTokenId } = await authorize(c, 'download', c.req.valid('json'), () => assertNotFrozen(c.env, 'downloads'));
    const id = share.id;
    // Read alongside the transaction below (a live share always has its manifest).
    const manifestRead = readManifest(c, id);
    manifestRead.catch(() => {}); // awaited below, unless the transaction fails first
    const gid = newGrantId();
    // A grant lives at most 6 hours and ends exactly with the share (to the millisecond).
    const exp = Math.min(t + MAX_GRANT_SECONDS * 1000, share.expires_at!);
    const db = c.env.DB;
    let files: { idx: number; size: number }[];
    try {
      // One transaction: count the download (if one is left), spend the challenge,
      // record the grant, read the file sizes. If the UPDATE matched nothing, the NULL
      // makes the insert fail and the whole batch rolls back; a replayed challenge
      // fails on UNIQUE.
      const results = await db.batch<{ idx: number; size: number }>([
        db
          .prepare(
            `UPDATE shares SET downloads_used = downloads_used + 1, last_grant_expires_at = MAX(last_grant_expires_at, ?2)
             WHERE id = ?1 AND status = 'ready' AND expires_at > ?3 AND downloads_used < max_downloads`,
          )
          .bind(id, exp, t),
        db
          .prepare('INSERT INTO used_challenges (nonce, expires_at) VALUES (?1, CASE WHEN changes() = 1 THEN ?2 ELSE NULL END)')
          .bind(challenge.nonce, challenge.expiresAt),
        db.prepare('INSERT INTO grants (gid, share_id, issued_at, expires_at) VALUES (?, ?, ?, ?)').bind(gid, id, t, exp),
        ...(partnerTokenId ? [bindGrantToPartner(c.env, gid, partnerTokenId)] : []),
        logStatement(log, { shareId: id, event: 'download', detail: `grant=${gid}`, tokenId: partnerTokenId }, t),
        db.prepare('SELECT idx, size FROM files WHERE share_id = ? ORDER BY idx').bind(id),
      ]);
      files = results[results.length - 1].results;
    } catch (e) {
      const msg = String(e);
      if (msg.includes('UNIQUE')) throw new Fail('unauthorized', `this challenge was already used: GET /api/shares/${id} for a new one`);
      if (msg.includes('NOT NULL')) {
        requireLive(await loadShare(c.env, id), now());
        throw new Fail('exhausted', 'this share has no downloads left');
      }
      throw e;
    }
    const res: DownloadResponse = {
      grant: await makeGrant(serverSecret(c.env), id, gid, exp),
      grantExpiresAt: iso(exp),
      manifest: await manifestRead,
      files: files.map((f) => ({ index: f.idx, size: f.size })),
    };
    return c.json(res);
  });
