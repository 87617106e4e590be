// GET/HEAD /api/shares/:id/files/:i with `Authorization: Grant <grant>`: the
// ciphertext of file i, whole or one byte range. Every request re-checks the
// share, and so does a running transfer every few MiB (lib/live-body.ts):
// revocation and expiry end every grant at once; exhaustion does not.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { requireCredential } from '../middleware/auth.ts';
import { Fail } from '../lib/errors.ts';
import { checkFileGates, partnerGrantLive } from '../lib/gates.ts';
import { readGrant } from '../lib/grant.ts';
import { grantStillLive, recheckedBody } from '../lib/live-body.ts';
import { writeLog } from '../lib/log.ts';
import { indexParam, shareIdParam } from '../lib/params.ts';
import { serverSecret } from '../lib/secrets.ts';
import { objectKey, type ShareRow } from '../lib/shares.ts';
import { now } from '../lib/time.ts';

/** Headers of DESIGN.md "Storage and server state": no name, never rendered, never cached. */
const FILE_HEADERS = {
  'Content-Type': 'application/octet-stream',
  'Content-Disposition': 'attachment',
  'Cache-Control': 'private, no-store',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Accept-Ranges': 'bytes',
};

/** How many times over a grant may read its share's bytes. */
export const GRANT_BYTES_FACTOR = 4;

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * One `bytes=` range against `size` bytes, inclusive `end`. null means "send it
 * all" (no header, another unit, several ranges or bad syntax: RFC 9110 lets a
 * server ignore those); 'unsatisfiable' is a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return null;
  const m = /^bytes=[ \t]*([0-9]{0,16})-([0-9]{0,16})[ \t]*$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && end < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

export const fileRoutes = new Hono<AppEnv>().get('/api/shares/:id/files/:i', async (c) => {
  const id = shareIdParam(c.req.param('id'));
  const i = indexParam(c.req.param('i'), 'file index');
  const grant = await readGrant(serverSecret(c.env), requireCredential(c, 'Grant'));
  if (!grant) throw new Fail('unauthorized', 'this grant is not valid');
  if (grant.id !== id) throw new Fail('forbidden', 'this grant is for another share');
  const t = now();

  const row = await c.env.DB.prepare(
    `SELECT s.status, s.expires_at, s.purged_at, s.revoked_at, s.bytes, f.size, g.gid
     FROM shares s LEFT JOIN grants g ON g.gid = ?2 AND g.share_id = s.id
     LEFT JOIN files f ON f.share_id = s.id AND f.idx = ?3 WHERE s.id = ?1`,
  )
    .bind(id, grant.gid, i)
    .first<Pick<ShareRow, 'status' | 'expires_at' | 'purged_at' | 'revoked_at' | 'bytes'> & { size: number | null; gid: string | null }>();
  if (!row) throw new Fail('unauthorized', 'this grant is not valid');
  // The grant is signed by this server, so the share's state comes first: a revoke or
  // revoke-all that ended the grant still answers 410 revoked, not a 401. That includes
  // an exhausted share whose last grants a bulk revoke ended (revoked_at set, status kept).
  if (row.status === 'revoked' || row.revoked_at !== null) throw new Fail('revoked', 'this share was revoked');
  if (row.status !== 'ready' || row.purged_at !== null || (row.expires_at ?? 0) <= t) {
    throw new Fail('expired', 'this share has expired');
  }
  if (row.gid === null) throw new Fail('unauthorized', 'this grant is not valid');
  // A grant that outlived its 6 hours on a live share: 410 as README promises, not a 401.
  if (grant.exp <= t) throw new Fail('expired', 'this download grant has expired: start the download again (it uses another download)');
  if (row.size === null) throw new Fail('not_found', `this share has no file ${i}`);
  await checkFileGates({ env: c.env, req: c.req.raw, ip: c.var.ip }, id, grant.gid, `file=${i}`);

  const size = row.size;
  const range = parseRange(c.req.header('Range'), size);
  if (range === 'unsatisfiable') {
    throw new Fail('range_not_satisfiable', `the file has ${size} bytes`, undefined, { 'Content-Range': `bytes */${size}` });
  }
  const headers = new Headers(FILE_HEADERS);
  const status = range ? 206 : 200;
  const length = range ? range.end - range.start + 1 : size;
  headers.set('Content-Length', String(length));
  if (range) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  if (c.req.method === 'HEAD') return new Response(null, { status, headers });

  // A grant reads its share a few times over (resumes, "download all"), not more:
  // a one-time link cannot be turned into a CDN.
  const counted = await c.env.DB.prepare(
    'UPDATE grants SET bytes_served = bytes_served + ?1 WHERE gid = ?2 AND bytes_served + ?1 <= ?3 RETURNING gid',
  )
    .bind(length, grant.gid, GRANT_BYTES_FACTOR * row.bytes)
    .first();
  if (!counted) throw new Fail('exhausted', `this grant has already read this share ${GRANT_BYTES_FACTOR} times over`);
  // The object's read and the log's write run together (R2 and D1: one wait, not two).
  const [got, logged] = await Promise.allSettled([
    c.env.BUCKET.get(objectKey(id, i), range ? { range: { offset: range.start, length } } : undefined),
    writeLog(
      { env: c.env, req: c.req.raw, ip: c.var.ip },
      { shareId: id, event: 'file', detail: `grant=${grant.gid} file=${i}${range ? ` range=${range.start}-${range.end}` : ''}` },
    ),
  ]);
  const obj = got.status === 'fulfilled' ? got.value : null;
  if (logged.status === 'rejected' || got.status === 'rejected') {
    await obj?.body.cancel();
    throw logged.status === 'rejected' ? logged.reason : (got as PromiseRejectedResult).reason;
  }
  if (!obj) throw new Fail('expired', 'this share has expired');
  // A revoke or expiry during the transfer ends it too (within RECHECK_BYTES or RECHECK_MS),
  // and so does revoking the partner token the grant was issued to.
  const body = recheckedBody(
    obj.body,
    length,
    async () => (await grantStillLive(c.env, id, grant.gid)) && (await partnerGrantLive(c.env, id, grant.gid)),
  );
  return new Response(body, { status, headers });
});
