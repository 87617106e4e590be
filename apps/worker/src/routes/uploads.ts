// Resumable uploads: parts (raw ciphertext, exact length), progress, finalize.
import {
  finalizeRequest,
  MAX_MANIFEST_CIPHERTEXT_BYTES,
  partCount,
  partRange,
  UNFINALIZED_TTL_SECONDS,
  type FinalizeResponse,
  type PartUploadResponse,
  type UploadsResponse,
} from '@sealdrop/shared';
import { Hono, type Context } from 'hono';
import { isCiphertextSize, isStanza } from '@sealdrop/crypto';
import type { AppEnv, Env } from '../env.ts';
import { checkOwner, requireCredential } from '../middleware/auth.ts';
import { json } from '../middleware/json.ts';
import { b64uDecode, sha256Hex } from '../lib/bytes.ts';
import { Fail } from '../lib/errors.ts';
import { writeLog } from '../lib/log.ts';
import { indexParam, shareIdParam } from '../lib/params.ts';
import { loadShare, objectKey, purgeShare, type ShareRow } from '../lib/shares.ts';
import { recordStoredSend, releaseSendSlot, takeSendSlot } from '../lib/partSends.ts';
import { storageFailure } from '../lib/storage.ts';
import { iso, now } from '../lib/time.ts';

/** The stanzas as stored: canonical base64url checked here (the schema checked shape and lengths). */
function sealedRecipients(stanzas: unknown[]): string {
  for (const [i, st] of stanzas.entries()) {
    if (!isStanza(st)) throw new Fail('bad_request', `recipients.${i}: not canonical base64url`);
  }
  return JSON.stringify(stanzas);
}

/**
 * The SHA-256s finalize stores (JSON), or null: only a share created with
 * publishSha256 takes them, and then exactly one per file. Checked before
 * anything is written, so a refused finalize stores nothing.
 */
function publishedSha256(s: ShareRow, sha256: string[] | undefined): string | null {
  const optedIn = s.sha256s !== null && s.sha256s !== undefined;
  if (sha256 === undefined) {
    if (optedIn) throw new Fail('bad_request', 'sha256: this share was created with publishSha256: send one SHA-256 per file');
    return null;
  }
  if (!optedIn) throw new Fail('bad_request', 'sha256: this share was created without publishSha256, so the server takes no file hashes for it');
  if (sha256.length !== s.file_count) {
    throw new Fail('bad_request', `sha256: one per file: this share has ${s.file_count} file${s.file_count === 1 ? '' : 's'}, ${sha256.length} given`);
  }
  return JSON.stringify(sha256);
}

interface FileRow {
  idx: number;
  size: number;
  upload_id: string | null;
  completed: number;
}

/** The share, if the Owner token in the header is its owner's. */
async function ownedShare(c: Context<AppEnv>, id: string): Promise<ShareRow> {
  const token = requireCredential(c, 'Owner');
  const s = await loadShare(c.env, id);
  if (!s || s.status === 'abandoned') throw new Fail('not_found', 'no such share');
  if (!(await checkOwner(token, s))) throw new Fail('forbidden', 'this owner token does not belong to this share');
  return s;
}

/** Parts are accepted only while the share is uploading, within 24 hours of create. */
function requireUploading(s: ShareRow, t: number): void {
  if (s.status === 'revoked') throw new Fail('revoked', 'this share was revoked');
  if (s.status !== 'uploading') throw new Fail('conflict', 'this share is already finalized');
  if (t - s.created_at > UNFINALIZED_TTL_SECONDS * 1000) {
    throw new Fail('expired', 'uploads must be finalized within 24 hours of create');
  }
}

async function loadFile(env: Env, id: string, i: number): Promise<FileRow> {
  const f = await env.DB.prepare('SELECT idx, size, upload_id, completed FROM files WHERE share_id = ? AND idx = ?')
    .bind(id, i)
    .first<FileRow>();
  if (!f) throw new Fail('not_found', `this share has no file ${i}`);
  return f;
}

/** The R2 multipart upload of a file, created on its first part; a racing create loses and aborts its own. */
async function multipartUpload(env: Env, id: string, f: FileRow): Promise<R2MultipartUpload> {
  const key = objectKey(id, f.idx);
  if (f.upload_id) return env.BUCKET.resumeMultipartUpload(key, f.upload_id);
  const mine = await env.BUCKET.createMultipartUpload(key);
  const won = await env.DB.prepare('UPDATE files SET upload_id = ? WHERE share_id = ? AND idx = ? AND upload_id IS NULL')
    .bind(mine.uploadId, id, f.idx)
    .run();
  if (won.meta.changes) return mine;
  await mine.abort().catch(() => {});
  const again = await loadFile(env, id, f.idx);
  return env.BUCKET.resumeMultipartUpload(key, again.upload_id!);
}

/** Complete (if needed) and check one file; false when its object is missing or of another size. */
async function completeFile(env: Env, s: ShareRow, f: FileRow): Promise<boolean> {
  const key = objectKey(s.id, f.idx);
  const count = partCount(f.size, s.part_bytes);
  if (count > 1 && !f.completed) {
    const { results } = await env.DB.prepare(
      'SELECT n, etag FROM parts WHERE share_id = ? AND file_idx = ? AND etag IS NOT NULL ORDER BY n',
    )
      .bind(s.id, f.idx)
      .all<{ n: number; etag: string }>();
    try {
      await env.BUCKET.resumeMultipartUpload(key, f.upload_id!).complete(
        results.map((p) => ({ partNumber: p.n + 1, etag: p.etag })),
      );
    } catch {
      // A retried finalize finds the upload already completed: the object decides below.
    }
  }
  const head = await env.BUCKET.head(key);
  if (!head || head.size !== f.size) return false;
  if (count > 1 && !f.completed) {
    await env.DB.prepare('UPDATE files SET completed = 1 WHERE share_id = ? AND idx = ?').bind(s.id, f.idx).run();
  }
  return true;
}

export const uploadRoutes = new Hono<AppEnv>()
  .put('/api/shares/:id/files/:i/parts/:n', async (c) => {
    const id = shareIdParam(c.req.param('id'));
    const i = indexParam(c.req.param('i'), 'file index');
    const n = indexParam(c.req.param('n'), 'part number');
    const declared = c.req.header('Content-Length');
    if (declared === undefined || !/^[0-9]{1,16}$/.test(declared)) {
      throw new Fail('bad_request', 'send the part with its exact Content-Length');
    }
    const t = now();
    const s = await ownedShare(c, id);
    requireUploading(s, t);
    const f = await loadFile(c.env, id, i);
    const count = partCount(f.size, s.part_bytes);
    if (n >= count) throw new Fail('not_found', `file ${i} has ${count} part(s)`);
    const { start, end } = partRange(f.size, s.part_bytes, n);
    const expected = end - start;
    const length = Number(declared);
    if (length > expected) throw new Fail('too_large', `part ${n} of file ${i} is exactly ${expected} bytes`);
    if (length < expected) throw new Fail('bad_request', `part ${n} of file ${i} is exactly ${expected} bytes`);
    if (!c.req.raw.body) throw new Fail('bad_request', 'the part has no body');

    // A slot before the body is read (the cap holds under concurrency); only a stored send counts.
    await takeSendSlot(c.env, id, i, n, expected, t);

    // Re-stream through a FixedLengthStream: R2 needs a known length, and a body
    // longer or shorter than announced fails instead of being stored.
    const { readable, writable } = new FixedLengthStream(expected);
    const piping = c.req.raw.body.pipeTo(writable).catch(() => {});
    let etag: string;
    try {
      if (count === 1) {
        const obj = await c.env.BUCKET.put(objectKey(id, i), readable);
        if (!obj) throw new Error('put refused');
        etag = obj.etag;
      } else {
        const upload = await multipartUpload(c.env, id, f);
        etag = (await upload.uploadPart(n + 1, readable)).etag;
      }
    } catch (e) {
      await piping;
      await releaseSendSlot(c.env, id, i, n);
      throw storageFailure(e) ?? new Fail('bad_request', `the body of part ${n} did not have the ${expected} bytes announced`);
    }
    await piping;
    await recordStoredSend(c.env, id, i, n, etag, now());

    // A revoke (or the 24-hour sweep) that ran meanwhile wins: remove what was just written.
    // A finalize that ran meanwhile also wins, and its share stays whole.
    const after = await loadShare(c.env, id);
    if (!after || after.status !== 'uploading') {
      if (after?.status === 'revoked' || after?.status === 'abandoned') await purgeShare(c.env, id, now());
      if (after?.status === 'ready') throw new Fail('conflict', 'this share is already finalized');
      throw new Fail(after?.status === 'revoked' ? 'revoked' : 'conflict', 'this share stopped accepting parts');
    }
    return c.json({ n } satisfies PartUploadResponse);
  })

  .get('/api/shares/:id/uploads', async (c) => {
    const id = shareIdParam(c.req.param('id'));
    await ownedShare(c, id);
    const [files, parts] = await c.env.DB.batch<{ idx: number; size: number; n: number }>([
      c.env.DB.prepare('SELECT idx, size FROM files WHERE share_id = ? ORDER BY idx').bind(id),
      c.env.DB.prepare('SELECT file_idx AS idx, n FROM parts WHERE share_id = ? AND etag IS NOT NULL ORDER BY file_idx, n').bind(id),
    ]);
    const byFile = new Map<number, number[]>();
    for (const p of parts.results) byFile.set(p.idx, [...(byFile.get(p.idx) ?? []), p.n]);
    const res: UploadsResponse = {
      files: files.results.map((f) => ({ index: f.idx, size: f.size, parts: byFile.get(f.idx) ?? [] })),
    };
    return c.json(res);
  })

  .post('/api/shares/:id/finalize', json(finalizeRequest, 2 * 1024 * 1024), async (c) => {
    const id = shareIdParam(c.req.param('id'));
    const { manifest, recipients: stanzas, sha256 } = c.req.valid('json');
    const s = await ownedShare(c, id);
    const published = publishedSha256(s, sha256);
    // v1.1: stanzas are stored exactly as given (after a strict shape check), or NULL.
    const recipients = stanzas === undefined ? null : sealedRecipients(stanzas);
    const bytes = b64uDecode(manifest);
    if (!bytes) throw new Fail('bad_request', 'manifest: bad base64url');
    if (bytes.length > MAX_MANIFEST_CIPHERTEXT_BYTES) {
      throw new Fail('too_large', `the manifest may be at most ${MAX_MANIFEST_CIPHERTEXT_BYTES} bytes of ciphertext`);
    }
    if (!isCiphertextSize(bytes.length)) throw new Fail('bad_request', 'manifest: not a Cobblestone ciphertext size');
    const hash = await sha256Hex(bytes);
    const done = (expiresAt: number) => c.json({ id, status: 'ready', expiresAt: iso(expiresAt) } satisfies FinalizeResponse);

    // Finalize is idempotent for the same manifest and refuses a different one.
    const settled = (row: ShareRow): Response => {
      if (row.status === 'revoked') throw new Fail('revoked', 'this share was revoked');
      if (row.status !== 'ready') throw new Fail('not_found', 'no such share');
      if (row.manifest_hash !== hash) throw new Fail('conflict', 'this share was finalized with another manifest');
      if (row.recipients !== recipients) throw new Fail('conflict', 'this share was finalized with other recipients');
      if (published !== null && row.sha256s !== published) throw new Fail('conflict', 'this share was finalized with other SHA-256s');
      return done(row.expires_at!);
    };
    if (s.status !== 'uploading') return settled(s);
    requireUploading(s, now());
    if (s.request_id !== null && recipients === null) {
      throw new Fail('conflict', 'a share sent to a request must be sealed to its recipient: send recipients');
    }

    // Every part of every file must be there before anything is completed.
    const { results: files } = await c.env.DB.prepare(
      `SELECT f.idx, f.size, f.upload_id, f.completed,
         (SELECT COUNT(*) FROM parts p WHERE p.share_id = f.share_id AND p.file_idx = f.idx AND p.etag IS NOT NULL) AS have
       FROM files f WHERE f.share_id = ? ORDER BY f.idx`,
    )
      .bind(id)
      .all<FileRow & { have: number }>();
    for (const f of files) {
      const need = partCount(f.size, s.part_bytes);
      if (f.have < need) throw new Fail('conflict', `file ${f.idx} has ${f.have} of ${need} part(s): upload the rest first`);
    }

    // Claim the manifest: a concurrent finalize with different bytes loses here.
    const claimed = await c.env.DB.prepare(
      `UPDATE shares SET manifest_hash = ?1, recipients = ?3 WHERE id = ?2 AND status = 'uploading'
       AND (manifest_hash IS NULL OR (manifest_hash = ?1 AND recipients IS ?3))`,
    )
      .bind(hash, id, recipients)
      .run();
    if (!claimed.meta.changes) {
      const row = (await loadShare(c.env, id))!;
      if (row.status === 'uploading') throw new Fail('conflict', 'another finalize with a different manifest or recipients is running');
      return settled(row);
    }
    const release = () =>
      c.env.DB.prepare(`UPDATE shares SET manifest_hash = NULL, recipients = NULL WHERE id = ? AND status = 'uploading' AND manifest_hash = ?`)
        .bind(id, hash)
        .run();

    try {
      for (const f of files) {
        if (!(await completeFile(c.env, s, f))) {
          throw new Fail('conflict', `file ${f.idx} is not ${f.size} bytes as declared: upload it again`);
        }
      }
      await c.env.BUCKET.put(objectKey(id, 'manifest'), bytes);
    } catch (e) {
      await release();
      throw e;
    }

    const t = now();
    const ready = await c.env.DB.prepare(
      `UPDATE shares SET status = 'ready', finalized_at = ?1, expires_at = ?1 + expires_in * 1000, sha256s = COALESCE(?4, sha256s)
       WHERE id = ?2 AND status = 'uploading' AND manifest_hash = ?3 RETURNING expires_at`,
    )
      .bind(t, id, hash, published)
      .first<{ expires_at: number }>();
    if (!ready) {
      const row = (await loadShare(c.env, id))!;
      if (row.status === 'revoked' || row.status === 'abandoned') {
        // Lost to a revoke: a takedown is never undone by a late finalize.
        await purgeShare(c.env, id, now());
      }
      return settled(row);
    }
    await writeLog({ env: c.env, req: c.req.raw, ip: c.var.ip }, { shareId: id, event: 'finalize', detail: `files=${files.length}${published ? ' sha256-published' : ''}` });
    return done(ready.expires_at);
  });
