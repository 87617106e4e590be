// The receive flow (DESIGN.md "Access protocol"): prove the link (and password)
// with two signatures over a fresh challenge, read the manifest (consumes
// nothing), take one download (a grant), then stream each file through the
// Cobblestone decryptor. A broken connection resumes with a Range request from
// the last whole chunk (createDecryptStream with fromChunk and the header), so
// no plaintext byte is ever released before its chunk authenticated.

import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import {
  assertKdfV1,
  b64uDecode,
  CHUNK_BYTES,
  chunkOffset,
  CobblestoneError,
  createDecryptStream,
  derivePasswordKey,
  deriveShareKeys,
  openManifest,
  parseLinkSecret,
  shareContext,
  signAccess,
  type Manifest,
  type ShareKeys,
} from '@sealdrop/crypto';
import { ApiError } from '@sealdrop/shared/errors';
import type { SealdropClient, ShareInfoResponse } from '@sealdrop/shared';
import { CliError, EXIT, fromApiError, integrity, partnerTokenMissing } from '../exit.ts';
import type { ParsedLink } from '../link.ts';
import { createBlake2b512, type Blake2b512 } from '../minisign/sign.ts';
import { madeBytes } from '../memory.ts';
import type { Progress } from '../progress.ts';
import { headerTap, skipBytes } from '@sealdrop/transfer';
import { backoffMs, isTransient, sleep, withRetry } from './retry.ts';

export interface OpenShare {
  client: SealdropClient;
  id: string;
  keys: ShareKeys;
  info: ShareInfoResponse;
  /** The partner download token (--token), sent on /manifest and /download. */
  partnerToken?: string;
}

/** GET /api/shares/:id, then the keys from S and (when the share has one) the password. */
export async function openShare(client: SealdropClient, link: ParsedLink, getPassword: () => Promise<string>, partnerToken?: string): Promise<OpenShare> {
  const info = await withRetry(() => client.shareInfo(link.id)).catch((e) => {
    throw e instanceof ApiError ? fromApiError(e, 'Share') : e;
  });
  // Said before any password prompt or download: this share opens only with a partner token.
  if (info.requiresToken && !partnerToken) throw partnerTokenMissing();
  return unlockShare(client, link, info, getPassword, partnerToken);
}

/** The share's keys from S and the password parameters `info` gives (fresh, or kept by a receive journal). */
export async function unlockShare(client: SealdropClient, link: ParsedLink, info: ShareInfoResponse, getPassword: () => Promise<string>, partnerToken?: string): Promise<OpenShare> {
  let passwordKey: Uint8Array | null = null;
  if (info.password) {
    try {
      assertKdfV1(info.password.kdf); // a server cannot downgrade or inflate the password hashing
    } catch (e) {
      throw integrity(`${(e as Error).message} The server may have been tampered with.`);
    }
    const password = await getPassword();
    passwordKey = await derivePasswordKey(password, b64uDecode(info.password.salt, 16), info.password.kdf);
  }
  const keys = await deriveShareKeys(parseLinkSecret(link.secret ?? ''), passwordKey);
  return { client, id: link.id, keys, info, partnerToken };
}

function accessError(e: unknown): unknown {
  if (e instanceof ApiError && e.code === 'forbidden') return new CliError(EXIT.integrity, 'Wrong password for this share.');
  return e instanceof ApiError ? fromApiError(e, 'Share') : e;
}

/** POST /manifest: the decrypted, strictly parsed manifest; consumes nothing. */
export async function readManifest(s: OpenShare): Promise<{ manifest: Manifest; raw: string; downloadsLeft: number; expiresAt: string }> {
  const res = await withRetry(async (attempt) => {
    const info = attempt === 0 ? s.info : await s.client.shareInfo(s.id);
    return s.client.manifest(s.id, signAccess(s.keys, 'manifest', s.id, info.challenge), s.partnerToken);
  }).catch((e) => {
    throw accessError(e);
  });
  const manifest = await openManifest(s.keys, s.id, b64uDecode(res.manifest));
  return { manifest, raw: res.manifest, downloadsLeft: res.downloadsLeft, expiresAt: res.expiresAt };
}

/** POST /download with a fresh challenge: takes one download and returns the grant. */
export async function takeDownload(s: OpenShare) {
  // A fresh challenge: /download records it as used. Not retried: a lost answer may have spent the download.
  const info = await withRetry(() => s.client.shareInfo(s.id)).catch((e) => {
    throw accessError(e);
  });
  const res = await s.client.download(s.id, signAccess(s.keys, 'download', s.id, info.challenge), s.partnerToken).catch((e) => {
    throw accessError(e);
  });
  const manifest = await openManifest(s.keys, s.id, b64uDecode(res.manifest));
  return { ...res, manifestParsed: manifest };
}

/** The server no longer honours the grant (expired, or made with a rotated key): resuming with it is pointless. */
export class GrantRefused extends CliError {
  constructor(message: string) {
    super(EXIT.network, message);
  }
}

export interface DownloadedFile {
  sha256: string;
  blake2b: Uint8Array | null;
  retries: number;
}

const WRITE_BYTES = 1024 * 1024;

/**
 * Downloads and decrypts file `index` into `fh` (from position 0), hashing the
 * plaintext as it is written. Transient failures resume from the last whole
 * chunk; an authentication failure is final (CobblestoneError).
 */
export async function downloadFile(
  s: OpenShare,
  grant: string,
  index: number,
  size: number,
  fh: FileHandle,
  opts: {
    blake2b: boolean;
    progress: Progress;
    log: (msg: string) => void;
    attempts?: number;
    /** Continue after `bytes` authenticated bytes already in `fh` (a receive journal), with the hashes of that prefix. */
    resume?: { bytes: number; header: Uint8Array | null; sha: Hash; blake: Blake2b512 | null };
    /** Called after each batch reached `fh`: `bytes` authenticated bytes, hashing to `prefixSha256`. */
    checkpoint?: (c: { bytes: number; header: Uint8Array | null; prefixSha256: string }) => Promise<void>;
  },
): Promise<DownloadedFile> {
  const key = await s.keys.fileKey(index);
  const context = shareContext(s.id);
  const sha = opts.resume?.sha ?? createHash('sha256');
  const blake: Blake2b512 | null = opts.resume ? opts.resume.blake : opts.blake2b ? await createBlake2b512() : null;
  let header: Uint8Array | null = opts.resume?.header ?? null;
  let written = opts.resume?.header ? opts.resume.bytes : 0;
  if (written > 0) opts.progress.add(written);
  let failures = 0;
  let retries = 0;
  const maxFailures = opts.attempts ?? 6;
  // Authenticated plaintext is written in 1 MiB batches (one write per 64 chunks).
  const pending = Buffer.allocUnsafe(WRITE_BYTES);
  let pendingLen = 0;
  const flush = async () => {
    let off = 0;
    while (off < pendingLen) {
      const { bytesWritten } = await fh.write(pending, off, pendingLen - off, written - pendingLen + off);
      off += bytesWritten;
    }
    pendingLen = 0;
    if (opts.checkpoint && written > 0) await opts.checkpoint({ bytes: written, header, prefixSha256: sha.copy().digest('hex') });
  };

  for (;;) {
    const fromChunk = Math.floor(written / CHUNK_BYTES);
    const start = header ? chunkOffset(fromChunk) : 0;
    const before = written;
    try {
      const res = await s.client.file(s.id, index, grant, start > 0 ? { start } : undefined);
      if (!res.body) throw new CliError(EXIT.network, 'The server sent an empty answer for a file.');
      let body: ReadableStream<Uint8Array> = res.body;
      if (start > 0 && res.status === 200) body = body.pipeThrough(skipBytes(start));
      else if (start > 0 && res.status !== 206) throw new CliError(EXIT.network, `Unexpected answer ${res.status} to a Range request.`);
      // Content-Range is ignored on purpose: the decryptor is positioned by what we asked for.
      if (!header) body = body.pipeThrough(headerTap((h) => (header = h)));
      const plain = body.pipeThrough(createDecryptStream(key, { context, fromChunk, header: header ?? undefined, size }));
      const reader = plain.getReader();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        // Only authenticated chunks arrive here.
        if (pendingLen + chunk.length > pending.length) await flush();
        pending.set(chunk, pendingLen);
        pendingLen += chunk.length;
        sha.update(chunk);
        blake?.update(chunk);
        written += chunk.length;
        opts.progress.add(chunk.length);
        madeBytes(chunk.length);
      }
      await flush();
      if (written !== size) throw integrity(`File ${index + 1}: the decrypted size (${written}) differs from the manifest (${size}).`);
      return { sha256: sha.digest('hex'), blake2b: blake ? blake.digest() : null, retries };
    } catch (e) {
      if (e instanceof CobblestoneError) throw e;
      if (e instanceof ApiError && !isTransient(e)) {
        if (e.status === 401 || e.status === 403) throw new GrantRefused(`The download grant was refused (${e.code}: ${e.message}). Run receive again if the share has downloads left.`);
        throw fromApiError(e, 'File');
      }
      if (e instanceof CliError) throw e;
      if (!isTransient(e) && !(e instanceof TypeError)) throw e;
      // A dropped connection: keep what authenticated, resume from the last whole chunk.
      await flush();
      written = Math.floor(written / CHUNK_BYTES) * CHUNK_BYTES;
      failures = written > before ? 1 : failures + 1;
      if (failures >= maxFailures) throw new CliError(EXIT.network, `The download of file ${index + 1} keeps failing (${(e as Error).message}). Run receive again later.`);
      retries++;
      const delay = backoffMs(failures - 1, Number(process.env.SEALDROP_RETRY_BASE_MS) || 1000, e);
      const what =
        e instanceof ApiError && e.code !== 'network' ? `The server failed (${e.status} ${e.code})` : e instanceof ApiError ? e.message : `Connection lost (${(e as Error).message})`;
      opts.log(`${what} at ${written} of ${size} bytes; resuming from there in ${(delay / 1000).toFixed(1)} s.`);
      await sleep(delay);
    }
  }
}
