// The CLI's adapter of the send flow of @sealdrop/transfer: the engine runs the
// protocol (keys, salts, digests, create/resume, parts, manifest, finalize);
// this file gives it a file-handle part maker (memory stays flat whatever the
// part size), native hashing (and minisign), the 0600 journal, and turns its
// events into progress bars and log lines.

import { createHash, type Hash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { CHUNK_BYTES, ciphertextRangeChunks, ciphertextSize, encryptRange, type PlaintextSource, type Recipient } from '@sealdrop/crypto';
import { ApiError, type ConfigResponse, type SealdropClient, type ShareRules } from '@sealdrop/shared';
import {
  classify,
  planSend,
  PlaintextTap,
  PlanError,
  sendFiles,
  TransferError,
  withRetry,
  type PartMaker,
  type PlaintextHasher,
  type SendJournal,
  type SendProblem,
  type TransferEvent,
} from '@sealdrop/transfer';
import { formatBytes as humanBytes } from '@sealdrop/shared';
import { policyCheck } from '../policy.ts';
import { CliError, EXIT, toCliError, usage } from '../exit.ts';
import type { InputFile } from '../files.ts';
import { typeHint } from '../files.ts';
import { deleteJournal, fileJournalStore, loadJournal, type CliJournal } from '../journal.ts';
import { formatSignature } from '../minisign/format.ts';
import type { SecretKey } from '../minisign/keys.ts';
import { createBlake2b512, defaultTrustedComment, signDigest, type Blake2b512 } from '../minisign/sign.ts';
import { Progress } from '../progress.ts';
import { BufferPool } from './bufferPool.ts';
import { SizedBody } from './http.ts';

export interface UploadOptions {
  client: SealdropClient;
  server: string;
  files: InputFile[];
  expiresIn: number | null;
  maxDownloads: number;
  password: string | null;
  note?: string;
  signer?: SecretKey | null;
  uploadToken?: string;
  /** v1.1: seal the share to these keys; the link then carries no secret. */
  recipients?: Recipient[];
  /** v1.1: a file request's id the share is counted against (with its key in recipients). */
  request?: string;
  /** Partner access and place rules for the new share. */
  rules?: ShareRules;
  journalFile: string;
  /** Parts in flight at once (default 3). */
  concurrency?: number;
  quiet?: boolean;
  log: (msg: string) => void;
}

export interface UploadResult {
  url: string;
  id: string;
  expiresAt: string;
  ownerToken: string;
  files: { name: string; size: number; sha256: string }[];
  resumedParts: number;
  sentParts: number;
  sentBytes: number;
  seconds: number;
}

/** Parts in flight: each holds one slice in memory, so this does not depend on the part size. */
export const DEFAULT_CONCURRENCY = 3;

const retryPolicy = () => ({ baseMs: Number(process.env.SEALDROP_RETRY_BASE_MS) || 1000 });

function wordProblem(p: SendProblem, o: UploadOptions, config: ConfigResponse): string {
  switch (p.kind) {
    case 'no_files':
      return 'Give at least one file.';
    case 'bad_names':
      return p.message;
    case 'too_many_files':
      return `This server takes at most ${p.max} files per share (${p.count} given).`;
    case 'file_too_large':
      return `${p.name} is too large for this server (${humanBytes(p.size)}; the limit is ${humanBytes(p.max)} per file).`;
    case 'share_too_large':
      return `These files are too large together for this server (${humanBytes(p.total)}; the limit is ${humanBytes(p.max)} per share).`;
    case 'expiry_too_long':
      return `--expires is longer than this server allows (at most ${Math.floor(config.maxExpirySeconds / 3600)} h).`;
    case 'too_many_downloads':
      return `--downloads is more than this server allows (at most ${p.max}).`;
    case 'token_required':
      return o.uploadToken ? 'The server refused the upload token.' : 'This server needs an upload token: use --token TOKEN or set SEALDROP_TOKEN.';
  }
}

/** A part body goes to the socket in pieces of this size (progress, back-pressure). */
const PIECE_BYTES = 1024 * 1024;
/** Plaintext read per source read (encryptRange reads 64 chunks at a time). */
const READ_BYTES = 64 * CHUNK_BYTES;

/** Memory for parts in flight: 3 lanes of the default 16 MiB parts and one spare; a 95 MiB part goes alone. */
const PART_BUDGET = 64 * 1024 * 1024;

/** A file read at positions into a buffer of the caller's, which the next read overwrites. */
interface FileReader {
  size: number;
  /** A plaintext source whose reads land in `buf` (encryptRange uses each read before the next; node's WebCrypto copies its input at once). */
  source(buf: Uint8Array): PlaintextSource;
  close(): Promise<void>;
}

async function openReader(path: string): Promise<FileReader> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return {
      size,
      source: (buf) => ({
        size,
        async read(offset, length) {
          const into = length <= buf.length ? buf.subarray(0, length) : new Uint8Array(length);
          let got = 0;
          while (got < length) {
            const { bytesRead } = await fh.read(into, got, length - got, offset + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
          return into.subarray(0, got);
        },
      }),
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** The whole-file hashes a tap feeds: SHA-256, plus BLAKE2b-512 when signing. */
interface FileHashes {
  tap: PlaintextTap;
  sha: Hash;
  blake: Blake2b512 | null;
}

/**
 * Parts and whole-file hashes from file handles, in one read and one
 * encryption per part: the part is made into a pooled buffer (one per lane in
 * flight, so memory does not grow with the file), its SHA-256 taken from that
 * very buffer, and the bytes sent are the bytes hashed. The whole-file
 * plaintext SHA-256 (and BLAKE2b for --sign) comes from the same reads through
 * a PlaintextTap; only when a resume makes parts out of order does the hasher
 * read the file again.
 */
function fileParts(files: InputFile[], signer: SecretKey | null, lanes: number): { parts: PartMaker<SizedBody>; hasher: PlaintextHasher } {
  const readers = new Map<number, Promise<FileReader>>();
  const reader = (i: number) => {
    let p = readers.get(i);
    if (!p) {
      p = openReader(files[i].path).then(async (r) => {
        if (r.size !== files[i].size) {
          await r.close();
          throw new CliError(EXIT.usage, `${files[i].name} changed size while being sent. Run the same command again to start over.`);
        }
        return r;
      });
      p.catch(() => {});
      readers.set(i, p);
    }
    return p;
  };
  const hashes = new Map<number, Promise<FileHashes>>();
  const hashesOf = (i: number) => {
    let h = hashes.get(i);
    if (!h) {
      h = (async () => {
        const sha = createHash('sha256');
        const blake = signer ? await createBlake2b512() : null;
        const tap = new PlaintextTap(files[i].size, { update: (b) => (sha.update(b), blake?.update(b)) });
        return { tap, sha, blake };
      })();
      hashes.set(i, h);
    }
    return h;
  };
  const reads = new BufferPool(READ_BYTES, (lanes + 1) * READ_BYTES);
  let partPool: BufferPool | null = null;
  const parts: PartMaker<SizedBody> = {
    async make(req) {
      const r = await reader(req.file);
      const { tap } = await hashesOf(req.file);
      const length = req.end - req.start;
      // Every part but a file's last is partBytes long: the pool grows to the longest seen.
      if (!partPool || length > partPool.bytes) {
        partPool?.retire();
        partPool = new BufferPool(length, PART_BUDGET);
      }
      const pool = partPool;
      const out = await pool.take();
      const readBuf = await reads.take();
      const first = ciphertextRangeChunks(req.start, req.end, r.size)?.first ?? 0;
      const tapped = tap.open(r.source(readBuf), first * CHUNK_BYTES);
      let bytes: Uint8Array;
      try {
        bytes = await encryptRange(tapped.source, req.keys, req.start, req.end, out);
      } catch (e) {
        pool.give(out);
        throw e;
      } finally {
        tapped.end();
        reads.give(readBuf);
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      let released = false;
      const body = new SizedBody(length, async function* () {
        for (let off = 0; off < length && !released; off += PIECE_BYTES) yield bytes.subarray(off, Math.min(length, off + PIECE_BYTES));
      });
      return {
        body,
        sha256,
        length,
        release() {
          if (released) return;
          released = true; // a request still pumping this body stops short (and is destroyed) instead of sending reused bytes
          pool.give(out);
        },
      };
    },
    async done(i) {
      (await hashes.get(i))?.tap.close();
      const p = readers.get(i);
      readers.delete(i);
      if (p) await (await p.catch(() => null))?.close();
    },
  };
  const hasher: PlaintextHasher = {
    async hash(i, onBytes, signal) {
      const h = await hashesOf(i);
      const state = await h.tap.settled();
      signal.throwIfAborted();
      if (state === 'broken') return hashFile(files[i], signer, onBytes);
      onBytes(files[i].size);
      const minisig = h.blake ? formatSignature(signDigest(signer!, h.blake.digest(), defaultTrustedComment(files[i].name))) : null;
      return { sha256: h.sha.digest('hex'), minisig };
    },
  };
  return { parts, hasher };
}

/** Plaintext SHA-256 (and BLAKE2b-512 when signing) in one read through a reused buffer (a resume that made parts out of order). */
async function hashFile(file: InputFile, signer: SecretKey | null, onBytes: (n: number) => void): Promise<{ sha256: string; minisig: string | null }> {
  const sha = createHash('sha256');
  const blake = signer ? await createBlake2b512() : null;
  const fh = await open(file.path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let pos = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      sha.update(chunk);
      blake?.update(chunk);
      pos += bytesRead;
      onBytes(bytesRead);
    }
  } finally {
    await fh.close();
  }
  const minisig = signer && blake ? formatSignature(signDigest(signer, blake.digest(), defaultTrustedComment(file.name))) : null;
  return { sha256: sha.digest('hex'), minisig };
}

/** Progress bars and log lines from the engine's events. */
function reporter(o: UploadOptions) {
  let bar: Progress | null = null;
  let sentPart = new Map<string, number>();
  let resumedBytes = 0;
  const total = o.files.reduce((n, f) => n + ciphertextSize(f.size), 0);
  const open = (label: string, total: number, quiet = o.quiet) => {
    bar?.finish();
    bar = new Progress({ label, total, quiet });
  };
  return {
    get bar() {
      return bar;
    },
    onEvent(e: TransferEvent) {
      switch (e.type) {
        case 'resumed':
          if (e.partsOnServer > 0) o.log(`Resumed: ${e.partsOnServer} part${e.partsOnServer === 1 ? '' : 's'} already on the server will not be sent again.`);
          break;
        case 'phase':
          if (e.phase === 'uploading') {
            open('Uploading', total - resumedBytes);
            sentPart = new Map();
          }
          if (e.phase === 'finalizing') bar?.finish();
          break;
        case 'file-restarted':
          o.log(`${o.files[e.file].name} ${e.reason === 'unknown-parts' ? 'has parts the journal does not know' : 'changed since the interrupted upload'}: uploading it again from the start with a fresh salt.`);
          break;
        case 'part-done':
          if (e.resumed) resumedBytes += e.bytes;
          break;
        case 'part-progress': {
          const key = `${e.file}/${e.part}`;
          bar?.add(e.sent - (sentPart.get(key) ?? 0));
          sentPart.set(key, e.sent);
          break;
        }
        case 'retry':
          if (e.step === 'part') {
            bar?.sub(sentPart.get(`${e.file}/${e.part}`) ?? 0);
            sentPart.delete(`${e.file}/${e.part}`);
            o.log(`Part ${e.part! + 1} of ${o.files[e.file!].name}: ${(e.error as Error).message}; retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s.`);
          } else if (e.step === 'create' && e.delayMs === 0) o.log(`Creating the share failed (${(e.error as Error).message}); trying again with new keys.`);
          else o.log(`${(e.error as Error).message}; retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s.`);
          break;
        default:
          break;
      }
    },
  };
}

/** Why an interrupted journal cannot continue: the engine's reason, or null. */
const ABANDON: Record<string, string> = {
  other_files: 'The interrupted upload was for other files.',
  changed_size: '',
  password_required: 'The password option differs from the interrupted upload.',
  password_differs: 'The password option differs from the interrupted upload.',
  wrong_password: 'The password differs from the one of the interrupted upload.',
  upload_gone: 'The interrupted share is no longer usable on the server.',
};

export async function uploadShare(o: UploadOptions): Promise<UploadResult> {
  const started = Date.now();
  const config = await withRetry(() => o.client.config(), { policy: retryPolicy() });
  const expiresIn = o.expiresIn ?? config.defaultExpirySeconds;
  const problems = planSend(config, { files: o.files, expiresIn, maxDownloads: o.maxDownloads, uploadToken: o.uploadToken, request: o.request });
  if (problems.length) throw usage(wordProblem(problems[0], o, config));
  policyCheck(config, o, expiresIn);

  const names = o.files.map((f) => f.name);
  const paths = o.files.map((f) => f.path);
  let resume: CliJournal | null = await loadJournal(o.journalFile);
  const abandon = async (j: SendJournal, why: string) => {
    o.log(`${why} Starting a new share.`);
    // The old share is useless now: free its storage (best effort).
    await o.client.revoke(j.id, j.ownerToken).catch(() => {});
    await deleteJournal(o.journalFile);
  };
  if (resume && (resume.app.server !== o.server || JSON.stringify(resume.names) !== JSON.stringify(names) || JSON.stringify(resume.app.paths) !== JSON.stringify(paths))) {
    await abandon(resume, 'The interrupted upload was for other files.');
    resume = null;
  }

  const run = async (from: CliJournal | null) => {
    const report = reporter(o);
    const made = fileParts(o.files, o.signer ?? null, Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY));
    if (from) o.log(`Resuming the interrupted upload of share ${from.id}.`);
    const result = await sendFiles<SizedBody>({
      client: o.client,
      config,
      files: o.files.map((f) => ({ name: f.name, size: f.size, type: typeHint(f.name), lastModified: f.mtimeMs })),
      password: o.password,
      settings: from ? undefined : { expiresIn, maxDownloads: o.maxDownloads, note: o.note, uploadToken: o.uploadToken, request: o.request, rules: o.rules },
      recipients: o.recipients,
      resume: from ?? undefined,
      app: { server: o.server, paths },
      parts: made.parts,
      // putPart hands its body to the transport untouched; cliFetch streams a SizedBody.
      sendPart: async (u) => {
        let sent = 0;
        const counted = new SizedBody(u.body.length, async function* () {
          for await (const chunk of u.body.chunks()) {
            yield chunk;
            u.onProgress((sent += chunk.length));
          }
        });
        await o.client.putPart(u.id, u.ownerToken, u.file, u.part, counted as unknown as Uint8Array, u.signal);
      },
      hasher: made.hasher,
      journal: fileJournalStore(o.journalFile),
      concurrency: Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY),
      retry: retryPolicy(),
      onEvent: (e) => report.onEvent(e),
      beforeSeal: async () => {
        // Files must not have changed while they were read.
        const after = await Promise.all(o.files.map((f) => stat(f.path)));
        after.forEach((s, i) => {
          if (s.size !== o.files[i].size || Math.floor(s.mtimeMs) !== o.files[i].mtimeMs) {
            throw new CliError(EXIT.usage, `${o.files[i].name} changed while being sent. Run the same command again: it will restart that file.`);
          }
        });
      },
    }).catch((e) => {
      (report.bar as Progress | null)?.abort();
      throw e;
    });
    (report.bar as Progress | null)?.finish();
    return result;
  };

  let r;
  try {
    try {
      r = await run(resume);
    } catch (e) {
      if (!resume || !(e instanceof TransferError) || !(e.reason in ABANDON)) throw e;
      const why = e.reason === 'changed_size' ? `${e.message}` : ABANDON[e.reason];
      await abandon(resume, why);
      r = await run(null);
    }
  } catch (e) {
    throw cliFailure(e);
  }
  return {
    // A sealed share's link holds no secret: only the recipients' keys open it.
    url: r.journal.recipients?.length ? `${o.server}/s/${r.id}` : `${o.server}/s/${r.id}#${r.secret}`,
    id: r.id,
    expiresAt: r.expiresAt,
    ownerToken: r.ownerToken,
    files: r.files,
    resumedParts: r.resumedParts,
    sentParts: r.sentParts,
    sentBytes: r.sentBytes,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The engine's failures as the CLI's exit codes and advice. */
function cliFailure(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof PlanError) return usage(e.message);
  if (e instanceof TransferError && e.reason === 'file_changed') {
    return new CliError(EXIT.usage, `${e.message.replace(/\.$/, '')}. Run the same command again: it will restart that file with a fresh salt.`);
  }
  const kind = classify(e);
  const err = toCliError(e);
  // A part stored as often as allowed, or a share that stopped taking parts: running again cannot help.
  if (e instanceof ApiError && e.code === 'conflict') return new CliError(err.code, `The upload cannot continue: ${e.message}.`);
  if (kind === 'unauthorized' || kind === 'forbidden') {
    return usage(`The server refused the upload token (${err.message}). Check --token or SEALDROP_TOKEN.`);
  }
  return new CliError(err.code, `The upload stopped: ${err.message.replace(/\.$/, '')}. Run the same command again to resume where it stopped.`);
}

