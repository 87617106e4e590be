// The CLI's side of the receive flow of @sealdrop/transfer: the engine runs the
// access protocol and the Range-resumed, authenticated download; this adapter
// gives it a file handle to write to and node's SHA-256, and words its failures
// as the CLI's exit codes and messages.

import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Manifest } from '@sealdrop/crypto';
import { createNodeDecryptor } from '@sealdrop/crypto/node';
import { ApiError } from '@sealdrop/shared/errors';
import type { SealdropClient, ShareInfoResponse } from '@sealdrop/shared';
import {
  classify,
  DigestMismatchError,
  downloadFile as engineDownload,
  isAbort,
  openShare as engineOpen,
  readManifest as engineManifest,
  RETRY_POLICY,
  takeDownload as engineTake,
  TransferError,
  unlockShare as engineUnlock,
  type IncrementalHash,
  type ReceiveCheckpoint,
  type ReceiveShare,
} from '@sealdrop/transfer';
import { CliError, EXIT, fromApiError, integrity, partnerTokenMissing, toCliError } from '../exit.ts';
import type { ParsedLink } from '../link.ts';
import { createBlake2b512, type Blake2b512 } from '../minisign/sign.ts';
import { madeBytes } from '../memory.ts';
import type { Progress } from '../progress.ts';

export type OpenShare = ReceiveShare;

/** Tests lower the base delay of the one retry policy with SEALDROP_RETRY_BASE_MS. */
const retry = () => ({ baseMs: Number(process.env.SEALDROP_RETRY_BASE_MS) || RETRY_POLICY.baseMs });

/** node's SHA-256 as the engine's hash (its copy() is cheap: checkpoints record the prefix's digest). */
export function nodeSha256(h: Hash = createHash('sha256')): IncrementalHash {
  return { update: (d) => void h.update(d), digestHex: () => h.digest('hex'), copy: () => nodeSha256(h.copy()) };
}

function shareError(e: unknown): unknown {
  if (e instanceof TransferError && e.reason === 'partner_token_required') return partnerTokenMissing();
  if (e instanceof TransferError && e.kind === 'integrity') return integrity(e.message);
  return e instanceof ApiError ? fromApiError(e, 'Share') : e;
}

function accessError(e: unknown): unknown {
  if (e instanceof ApiError && e.code === 'forbidden') return new CliError(EXIT.integrity, 'Wrong password for this share.');
  return shareError(e);
}

const mapped =
  (map: (e: unknown) => unknown) =>
  (e: unknown): never => {
    throw map(e);
  };

/** GET /api/shares/:id, then the keys from S and (when the share has one) the password. */
export function openShare(client: SealdropClient, link: ParsedLink, getPassword: () => Promise<string>, partnerToken?: string): Promise<OpenShare> {
  return engineOpen(client, link, getPassword, { partnerToken, retry: retry() }).catch(mapped(shareError));
}

/** The share's keys from S and the password parameters `info` gives (kept by a receive journal). */
export function unlockShare(client: SealdropClient, link: ParsedLink, info: ShareInfoResponse, getPassword: () => Promise<string>, partnerToken?: string): Promise<OpenShare> {
  return engineUnlock(client, link, info, getPassword, { partnerToken }).catch(mapped(shareError));
}

/** POST /manifest: the decrypted, strictly parsed manifest; consumes nothing. */
export function readManifest(s: OpenShare): Promise<{ manifest: Manifest; raw: string; downloadsLeft: number; expiresAt: string }> {
  return engineManifest(s, { retry: retry() }).catch(mapped(accessError));
}

/** POST /download with a fresh challenge: one download, refused if it comes with another manifest than `shown`. */
export function takeDownload(s: OpenShare, shown: string) {
  return engineTake(s, { retry: retry(), shown }).catch(
    mapped((e) =>
      e instanceof TransferError && e.reason === 'manifest_changed'
        ? integrity('The server answered the download with a different manifest than it showed before. Refusing this share; nothing was saved.')
        : accessError(e),
    ),
  );
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

export interface Checkpoint {
  bytes: number;
  header: Uint8Array;
  prefixSha256: string;
}

/** Authenticated plaintext reaches the file in 1 MiB batches (small pieces are gathered first). */
const WRITE_BYTES = 1024 * 1024;
/** A piece this long is written as it is, from the decryptor's buffer (no copy into the batch). */
const DIRECT_BYTES = 128 * 1024;

/** The engine's sink on a file handle: batched positional writes, each byte hashed for BLAKE2b (minisign) too. */
function fileSink(fh: FileHandle, blake: Blake2b512 | null) {
  const pending = Buffer.allocUnsafe(WRITE_BYTES);
  let pendingLen = 0;
  let at = 0; // file position of pending[0]
  const writeAt = async (bytes: Uint8Array, position: number) => {
    for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off, bytes.length - off, position + off)).bytesWritten;
  };
  const flush = async () => {
    await writeAt(pending.subarray(0, pendingLen), at);
    at += pendingLen;
    pendingLen = 0;
  };
  return {
    async write(chunk: Uint8Array, position: number) {
      if (pendingLen > 0 && (at + pendingLen !== position || pendingLen + chunk.length > pending.length)) await flush();
      if (pendingLen === 0 && chunk.length >= DIRECT_BYTES) await writeAt(chunk, position);
      else {
        if (pendingLen === 0) at = position;
        pending.set(chunk, pendingLen);
        pendingLen += chunk.length;
      }
      blake?.update(chunk);
      madeBytes(chunk.length);
    },
    flush,
  };
}

/**
 * Downloads and decrypts file `index` into `fh` through the engine, from where
 * `resume` left off (a receive journal) or from position 0. Transient failures
 * resume inside the grant; anything that does not authenticate is final.
 */
export async function downloadFile(
  s: OpenShare,
  grant: string,
  index: number,
  file: { name: string; size: number; sha256: string },
  fh: FileHandle,
  opts: {
    blake2b: boolean;
    progress: Progress;
    log: (msg: string) => void;
    /** Continue after `bytes` authenticated bytes already in `fh`, with the hashes of that prefix. */
    resume?: { bytes: number; header: Uint8Array | null; sha: IncrementalHash; blake: Blake2b512 | null };
    /** Called after each batch reached `fh`: `bytes` authenticated bytes, hashing to `prefixSha256`. */
    checkpoint?: (c: Checkpoint) => Promise<void>;
  },
): Promise<DownloadedFile> {
  const resumed = opts.resume && opts.resume.header && opts.resume.bytes > 0 ? opts.resume : null;
  const blake = resumed ? resumed.blake : opts.blake2b ? await createBlake2b512() : null;
  let written = resumed?.bytes ?? 0;
  if (written > 0) opts.progress.add(written);
  try {
    const got = await engineDownload(s, grant, index, {
      size: file.size,
      sha256: file.sha256,
      sink: fileSink(fh, blake),
      createHash: () => nodeSha256(),
      // OpenSSL's AES-GCM, one synchronous pass per network read (WebCrypto: a job and a promise per 16 KiB chunk).
      decrypt: createNodeDecryptor,
      from: resumed ? { bytes: resumed.bytes, header: resumed.header!, hash: resumed.sha } : undefined,
      retry: retry(),
      onCheckpoint: opts.checkpoint ? (c: ReceiveCheckpoint) => (c.sha256 ? opts.checkpoint!({ bytes: c.bytes, header: c.header, prefixSha256: c.sha256 }) : undefined) : undefined,
      onEvent: (ev) => {
        if (ev.type === 'received') {
          written += ev.bytes;
          opts.progress.add(ev.bytes);
        } else if (ev.type === 'retry') {
          const e = ev.error;
          const what =
            e instanceof ApiError && e.code !== 'network' ? `The server failed (${e.status} ${e.code})` : e instanceof ApiError ? e.message : `Connection lost (${(e as Error).message})`;
          opts.log(`${what} at ${written} of ${file.size} bytes; resuming from there in ${(ev.delayMs / 1000).toFixed(1)} s.`);
        }
      },
    });
    return { sha256: got.sha256, blake2b: blake ? blake.digest() : null, retries: got.retries };
  } catch (e) {
    throw fileError(e, index, file.name);
  }
}

/** A failure of the engine's download as the CLI words it. */
function fileError(e: unknown, index: number, name: string): unknown {
  if (e instanceof DigestMismatchError) return integrity(`${name}: SHA-256 ${e.actual} does not match the manifest (${e.expected}). Nothing was saved.`);
  if (e instanceof TransferError) return e.kind === 'integrity' ? integrity(e.message) : new CliError(EXIT.network, e.message);
  if (isAbort(e)) return e;
  const kind = classify(e);
  if (kind === 'transient') return new CliError(EXIT.network, `The download of file ${index + 1} keeps failing (${(e as Error).message}). Run receive again later.`);
  if (e instanceof ApiError) {
    if (e.status === 401 || e.status === 403) return new GrantRefused(`The download grant was refused (${e.code}: ${e.message}). Run receive again if the share has downloads left.`);
    return fromApiError(e, 'File');
  }
  return kind === 'integrity' ? e : toCliError(e);
}
