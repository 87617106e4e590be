// The receive flow (DESIGN.md "Access protocol"): prove the link (and password)
// with two signatures over a fresh challenge, read the manifest (consumes
// nothing), take one download (a grant), then stream each file through the
// Cobblestone decryptor. A cut connection resumes inside the grant with a Range
// request from the last whole chunk; plaintext reaches the sink only after its
// chunk authenticated, and a file whose SHA-256 differs from the manifest fails.

import {
  assertKdfV1,
  b64uDecode,
  CHUNK_BYTES,
  chunkOffset,
  ciphertextSize,
  createDecryptor,
  createSha256,
  derivePasswordKey,
  type DecryptStreamOptions,
  deriveShareKeys,
  type FrameDecryptor,
  HEADER_BYTES,
  openManifest,
  parseLinkSecret,
  shareContext,
  signAccessAsync,
  type Manifest,
  type ShareKeys,
} from '@sealdrop/crypto';
import type { DownloadResponse, SealdropClient, ShareInfoResponse } from '@sealdrop/shared';
import { ApiError } from '@sealdrop/shared/errors';
import { classify, isAbort, TransferError, TransientError } from './errors.ts';
import type { EventSink, TransferEvent } from './events.ts';
import type { IncrementalHash, PasswordKdf, PlaintextSink } from './ports.ts';
import { resolvePolicy, retryDelay, waitToRetry, withRetry, type Connectivity, type RetryPolicy } from './retry.ts';

export interface ReceiveContext {
  retry?: Partial<RetryPolicy>;
  connectivity?: Connectivity;
  signal?: AbortSignal;
  onEvent?: EventSink;
}

export interface ReceiveShare {
  client: SealdropClient;
  id: string;
  keys: ShareKeys;
  info: ShareInfoResponse;
  /** A partner download token, sent on /manifest and /download (shares with requiresToken). */
  partnerToken?: string;
}

export interface OpenShareOptions extends ReceiveContext {
  kdf?: PasswordKdf;
  partnerToken?: string;
}

const retryCtx = (ctx: ReceiveContext, step: Extract<TransferEvent, { type: 'retry' }>['step'], file?: number) => ({
  policy: ctx.retry,
  signal: ctx.signal,
  connectivity: ctx.connectivity,
  onRetry: (i: { attempt: number; delayMs: number; error: unknown; kind: ReturnType<typeof classify>; offline: boolean }) => ctx.onEvent?.({ type: 'retry', step, file, ...i }),
});

/**
 * GET /api/shares/:id, then the keys from S and, when the share has one, the
 * password. A missing or damaged key (S) is an integrity failure (LinkError),
 * found before the server is asked. A share that opens only with a partner
 * token, and none was given: `unauthorized` / `partner_token_required`, before
 * any password is asked.
 */
export async function openShare(
  client: SealdropClient,
  link: { id: string; secret: string | null },
  getPassword: () => Promise<string>,
  ctx: OpenShareOptions = {},
): Promise<ReceiveShare> {
  parseLinkSecret(link.secret ?? ''); // before anything is asked of the server
  const info = await withRetry(() => client.shareInfo(link.id), retryCtx(ctx, 'info'));
  if (info.requiresToken && !ctx.partnerToken) throw new TransferError('unauthorized', 'partner_token_required', 'This share opens only with a partner download token.');
  return unlockShare(client, link, info, getPassword, ctx);
}

/**
 * The share's keys from S and the password parameters of `info` (fresh from the
 * server, or kept by a receive journal). Asks nothing of the server. A KDF
 * other than v1's is refused: a server cannot downgrade or inflate the hashing.
 */
export async function unlockShare(
  client: SealdropClient,
  link: { id: string; secret: string | Uint8Array | null },
  info: ShareInfoResponse,
  getPassword: () => Promise<string>,
  ctx: OpenShareOptions = {},
): Promise<ReceiveShare> {
  const secret = link.secret instanceof Uint8Array ? link.secret : parseLinkSecret(link.secret ?? '');
  const params = passwordParams(info);
  let passwordKey: Uint8Array | null = null;
  if (params) {
    const password = await getPassword();
    passwordKey = ctx.kdf ? await ctx.kdf(password, params.salt) : await derivePasswordKey(password, params.salt, params.kdf);
  }
  const keys = await deriveShareKeys(secret, passwordKey);
  passwordKey?.fill(0);
  return { client, id: link.id, keys, info, partnerToken: ctx.partnerToken };
}

/**
 * The password parameters of a share (null without a password). A KDF other
 * than v1's is refused (`integrity` / `kdf`): a server cannot downgrade or
 * inflate the password hashing.
 */
export function passwordParams(info: ShareInfoResponse): { salt: Uint8Array; kdf: unknown } | null {
  if (!info.password) return null;
  try {
    assertKdfV1(info.password.kdf);
    return { salt: b64uDecode(info.password.salt, 16), kdf: info.password.kdf };
  } catch (e) {
    throw new TransferError('integrity', 'kdf', `${(e as Error).message} The server may have been tampered with.`);
  }
}

/** POST /manifest with a fresh challenge: the decrypted, strictly parsed manifest. Consumes nothing, so it is retried. */
export async function readManifest(s: ReceiveShare, ctx: ReceiveContext = {}): Promise<{ manifest: Manifest; raw: string; downloadsLeft: number; expiresAt: string }> {
  const res = await withRetry(async (attempt) => {
    const info = attempt === 1 ? s.info : await s.client.shareInfo(s.id);
    return s.client.manifest(s.id, await signAccessAsync(s.keys, 'manifest', s.id, info.challenge), s.partnerToken);
  }, retryCtx(ctx, 'manifest'));
  const manifest = await openManifest(s.keys, s.id, b64uDecode(res.manifest));
  return { manifest, raw: res.manifest, downloadsLeft: res.downloadsLeft, expiresAt: res.expiresAt };
}

/**
 * POST /download with a fresh challenge: takes one download and returns the
 * grant. Not retried: a lost answer may have spent the download. With
 * `challenge` (one not yet spent, e.g. from the GET that opened the share), no
 * GET comes first. With `shown` (the raw manifest readManifest returned), a
 * grant that comes with another manifest is refused: one manifest per share (`integrity` / `manifest_changed`).
 */
export async function takeDownload(s: ReceiveShare, ctx: ReceiveContext & { shown?: string; challenge?: string } = {}): Promise<DownloadResponse & { manifestParsed: Manifest }> {
  const fresh = async () => (await withRetry(() => s.client.shareInfo(s.id), retryCtx(ctx, 'info'))).challenge;
  const take = async (challenge: string) => s.client.download(s.id, await signAccessAsync(s.keys, 'download', s.id, challenge), s.partnerToken);
  let res: DownloadResponse;
  if (ctx.challenge !== undefined) {
    // A challenge the caller already holds (/manifest spends none) saves a round trip
    // before the first byte. A 401 (expired or used) spent nothing: once with a fresh one.
    res = await take(ctx.challenge).catch(async (e: unknown) => {
      if (!(e instanceof ApiError) || e.code !== 'unauthorized') throw e;
      return take(await fresh());
    });
  } else res = await take(await fresh());
  if (ctx.shown !== undefined && res.manifest !== ctx.shown) throw new TransferError('integrity', 'manifest_changed', 'The server answered the download with a different manifest than it showed before.');
  return { ...res, manifestParsed: await openManifest(s.keys, s.id, b64uDecode(res.manifest)) };
}

/**
 * The server's file list must be the manifest's: the same count, and each
 * ciphertext exactly ciphertextSize(plaintext size). Returns the indices that
 * differ; when the counts differ the whole list is untrusted (every index).
 */
export function grantFileMismatches(files: readonly { index: number; size: number }[], manifest: Pick<Manifest, 'files'>): number[] {
  const all = manifest.files.map((_, i) => i);
  if (files.length !== manifest.files.length || files.some((f, i) => f.index !== i)) return all;
  return all.filter((i) => files[i].size !== ciphertextSize(manifest.files[i].size));
}

/** Where a download stopped: plaintext bytes that authenticated (a whole number of chunks) and the message header. */
export interface ReceiveCheckpoint {
  bytes: number;
  header: Uint8Array;
  /** SHA-256 (hex) of those bytes, when the hash can be copied: a journal checks the kept prefix against it on resume. */
  sha256?: string;
}

/** The file's SHA-256 differs from the manifest's: nothing of it may be kept. */
export class DigestMismatchError extends TransferError {
  constructor(
    readonly file: number,
    readonly actual: string,
    readonly expected: string,
  ) {
    super('integrity', 'sha256', `File ${file + 1}: SHA-256 ${actual} does not match the manifest (${expected}).`);
  }
}

export interface DownloadFileOptions extends ReceiveContext {
  /** The manifest's plaintext size and SHA-256 of the file. */
  size: number;
  sha256: string;
  sink: PlaintextSink;
  /** Hash of the plaintext (default: packages/crypto's streaming SHA-256). */
  createHash?: () => Promise<IncrementalHash> | IncrementalHash;
  /**
   * Continue a download stopped before (a receive journal): bytes [0, from.bytes)
   * are already in the sink; only the rest is fetched. `hash` has already seen
   * exactly those bytes (the app read them back and checked them against its
   * journal), or else they are fed to `replay`.
   */
  from?: Omit<ReceiveCheckpoint, 'sha256'> & ({ hash: IncrementalHash; replay?: never } | { hash?: never; replay: (hash: IncrementalHash) => Promise<void> });
  /**
   * Told with a new checkpoint after the sink flushed: about every
   * `checkpointBytes` of plaintext, and when a connection failed (a receive journal).
   */
  onCheckpoint?: (c: ReceiveCheckpoint) => void | Promise<void>;
  /** Plaintext bytes between two checkpoints (default 1 MiB; rounded down to whole chunks). */
  checkpointBytes?: number;
  /**
   * The Cobblestone decryptor (default: packages/crypto's createDecryptor on
   * WebCrypto; the CLI passes the node:crypto one of @sealdrop/crypto/node). It
   * must release only authenticated plaintext, in order, and throw on anything else.
   */
  decrypt?: (inputKey: Uint8Array, opts: DecryptStreamOptions) => Promise<FrameDecryptor>;
  /** Hand the sink several authenticated chunks at once where the body brought them (createDecryptor's joinChunks; the node decryptor always does). */
  joinChunks?: boolean;
}

/** What downloadFile needs of a share: a worker that holds only the file keys can give this much. */
export interface FileSource {
  client: SealdropClient;
  id: string;
  keys: Pick<ShareKeys, 'fileKey'>;
}

/**
 * Downloads and decrypts file `index` with `grant` into the sink. Transient
 * failures resume from the last whole chunk (inside the grant); the policy's
 * attempts count failures in a row without progress. Any authentication,
 * size or SHA-256 mismatch is final and releases nothing more.
 */
export async function downloadFile(s: FileSource, grant: string, index: number, o: DownloadFileOptions): Promise<{ sha256: string; retries: number }> {
  const key = await s.keys.fileKey(index);
  const context = shareContext(s.id);
  const policy = resolvePolicy(o.retry);
  let hash: IncrementalHash;
  let header: Uint8Array | null = null;
  let written = 0;
  if (o.from && o.from.bytes > 0) {
    if (o.from.bytes % CHUNK_BYTES !== 0 || o.from.bytes > o.size || o.from.header.length !== HEADER_BYTES) throw new TransferError('input', 'bad_checkpoint', 'The saved download position is not usable.');
    if (o.from.hash) hash = o.from.hash;
    else await o.from.replay((hash = await (o.createHash ?? createSha256)()));
    header = o.from.header.slice();
    written = o.from.bytes;
  } else hash = o.from?.hash ?? (await (o.createHash ?? createSha256)());
  let failures = 0;
  let retries = 0;
  const every = Math.max(CHUNK_BYTES, Math.floor((o.checkpointBytes ?? 1 << 20) / CHUNK_BYTES) * CHUNK_BYTES);
  let lastCheckpoint = written;
  const checkpoint = async () => {
    await o.sink.flush?.();
    if (!header || !o.onCheckpoint) return;
    const bytes = Math.floor(written / CHUNK_BYTES) * CHUNK_BYTES;
    lastCheckpoint = bytes;
    // The digest of exactly `bytes`: only whole chunks have been hashed when this runs.
    const sha256 = bytes === written && hash.copy ? hash.copy().digestHex() : undefined;
    await o.onCheckpoint({ bytes, header, sha256 });
  };

  for (;;) {
    o.signal?.throwIfAborted();
    const fromChunk = header ? Math.floor(written / CHUNK_BYTES) : 0;
    if (!header) written = 0;
    const start = header ? chunkOffset(fromChunk) : 0;
    const before = written;
    // The message header, taken from the first bytes of a download from the start.
    const headerBuf = new Uint8Array(HEADER_BYTES);
    let headerLen = 0;
    try {
      const res = await s.client.file(s.id, index, grant, start > 0 ? { start } : undefined, o.signal);
      if (!res.body) throw new TransientError('the server sent an empty answer for a file');
      // A server that answered 200 to a Range request: its first `skip` bytes are dropped.
      let skip = start > 0 && res.status === 200 ? start : 0;
      if (start > 0 && res.status !== 200 && res.status !== 206) throw new TransferError('input', 'range', `Unexpected answer ${res.status} to a Range request.`);
      const emit = async (value: Uint8Array) => {
        // Only authenticated chunks arrive here.
        await o.sink.write(value, written);
        hash.update(value);
        written += value.length;
        o.onEvent?.({ type: 'received', file: index, bytes: value.length });
        if (o.onCheckpoint && written - lastCheckpoint >= every && written % CHUNK_BYTES === 0) await checkpoint();
      };
      // The body is read here and fed to the decryptor by hand: no stream hop per piece.
      const reader = res.body.getReader();
      let pos = start;
      let dec: FrameDecryptor;
      try {
        // Content-Range is not trusted: the decryptor is positioned by what was asked for.
        dec = await (o.decrypt ?? createDecryptor)(key, { context, fromChunk, header: header ?? undefined, size: o.size, joinChunks: o.joinChunks });
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          let data = value;
          if (skip > 0) {
            const drop = Math.min(skip, data.length);
            skip -= drop;
            data = data.subarray(drop);
            if (data.length === 0) continue;
          }
          pos += data.length;
          if (!header) {
            const take = Math.min(HEADER_BYTES - headerLen, data.length);
            headerBuf.set(data.subarray(0, take), headerLen);
            headerLen += take;
            if (headerLen === HEADER_BYTES) header = headerBuf.slice();
          }
          await dec.push(data, emit);
        }
      } catch (e) {
        await reader.cancel(e).catch(() => {});
        throw e;
      }
      // A body that ends early (a proxy, a server that stopped) is a cut, resumed like
      // one: the whole chunks it brought are in the sink already (a 16400-byte sealed
      // chunk is never the last, so each is decrypted as soon as it is in).
      if (pos < ciphertextSize(o.size)) throw new TransientError(`the connection closed early (file ${index + 1} at ${written} of ${o.size} bytes)`);
      await dec.end(emit);
      await o.sink.flush?.();
      if (written !== o.size) throw new TransferError('integrity', 'size', `File ${index + 1}: the decrypted size (${written}) differs from the manifest (${o.size}).`);
      const sha256 = hash.digestHex();
      if (sha256 !== o.sha256) throw new DigestMismatchError(index, sha256, o.sha256);
      o.onEvent?.({ type: 'file-verified', file: index, sha256 });
      return { sha256, retries };
    } catch (e) {
      if (isAbort(e) || classify(e) !== 'transient') throw e;
      // Keep what authenticated; the next request starts at the last whole chunk.
      // The hash has seen exactly `written` bytes, which is a multiple of a chunk
      // unless the file's last, short chunk was being read (then it failed whole).
      if (header && written % CHUNK_BYTES !== 0) throw e; // cannot happen: chunks arrive whole
      await checkpoint().catch(() => {});
      failures = written > before ? 1 : failures + 1;
      if (failures >= policy.attempts) throw e;
      retries++;
      const delayMs = retryDelay(failures, e, policy);
      o.onEvent?.({ type: 'retry', step: 'file', file: index, attempt: failures, delayMs, kind: 'transient', offline: o.connectivity ? !o.connectivity.online() : false, error: e });
      await waitToRetry(delayMs, o.signal, o.connectivity);
    }
  }
}
