// The send flow (DESIGN.md "Data flow", "One salt, one plaintext"):
//   create the share → encrypt each file part by part (FileEncryptor over a
//   file-handle source: memory stays flat) → PUT parts in parallel with retries
//   → seal the manifest → finalize.
// A 0600 journal records S, the salts and every part's ciphertext digest before
// the part leaves, so running the same command again resumes: recorded parts are
// re-made and compared (a changed file restarts with a fresh salt), parts the
// server already holds are not sent again.

import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import {
  b64uDecode,
  b64uEncode,
  ciphertextSize,
  derivePasswordKey,
  deriveShareKeys,
  encryptRange,
  FileEncryptor,
  generateLinkSecret,
  KDF_V1,
  newPasswordSalt,
  parseLinkSecret,
  sealManifest,
  shareContext,
  SourceChangedError,
  type Manifest,
  type ShareKeys,
} from '@sealdrop/crypto';
import { fileSource, type FileSource } from '@sealdrop/crypto/node';
import { ApiError } from '@sealdrop/shared/errors';
import type { ConfigResponse, SealdropClient } from '@sealdrop/shared';
import { formatBytes as humanBytes } from '@sealdrop/shared';
import { policyCheck } from '../policy.ts';
import { CliError, EXIT, toCliError, usage } from '../exit.ts';
import type { InputFile } from '../files.ts';
import { typeHint } from '../files.ts';
import { deleteJournal, JournalWriter, loadJournal, type CliJournal } from '../journal.ts';
import { formatSignature } from '../minisign/format.ts';
import type { SecretKey } from '../minisign/keys.ts';
import { createBlake2b512, defaultTrustedComment, signDigest } from '../minisign/sign.ts';
import { madeBytes } from '../memory.ts';
import { Progress } from '../progress.ts';
import { SizedBody } from './http.ts';
import { withRetry } from './retry.ts';

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

function checkLimits(config: ConfigResponse, o: UploadOptions): number {
  if (o.files.length > config.maxFiles) throw usage(`This server takes at most ${config.maxFiles} files per share (${o.files.length} given).`);
  let total = 0;
  for (const f of o.files) {
    const c = ciphertextSize(f.size);
    if (c > config.maxFileBytes) throw usage(`${f.name} is too large for this server (${humanBytes(f.size)}; the limit is ${humanBytes(config.maxFileBytes)} per file).`);
    total += c;
  }
  if (total > config.maxShareBytes) throw usage(`These files are too large together for this server (${humanBytes(total)}; the limit is ${humanBytes(config.maxShareBytes)} per share).`);
  const expiresIn = o.expiresIn ?? config.defaultExpirySeconds;
  if (expiresIn > config.maxExpirySeconds) throw usage(`--expires is longer than this server allows (at most ${Math.floor(config.maxExpirySeconds / 3600)} h).`);
  if (o.maxDownloads > config.maxDownloads) throw usage(`--downloads is more than this server allows (at most ${config.maxDownloads}).`);
  if (config.uploadPolicy === 'token' && !o.uploadToken) throw usage('This server needs an upload token: use --token TOKEN or set SEALDROP_TOKEN.');
  policyCheck(config, o, expiresIn);
  return expiresIn;
}

const b64 = (u: Uint8Array) => b64uEncode(u);

async function passwordKey(password: string | null, salt: Uint8Array | null): Promise<Uint8Array | null> {
  if (!password || !salt) return null;
  return derivePasswordKey(password, salt, { ...KDF_V1 });
}

/** Plaintext SHA-256 (and BLAKE2b-512 when signing) in one read through a reused buffer. */
async function hashFile(file: InputFile, withBlake: boolean, progress: Progress): Promise<{ sha256: string; blake2b: Uint8Array | null }> {
  const sha = createHash('sha256');
  const blake = withBlake ? await createBlake2b512() : null;
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
      progress.add(bytesRead);
    }
  } finally {
    await fh.close();
  }
  return { sha256: sha.digest('hex'), blake2b: blake ? blake.digest() : null };
}

/** Ciphertext made per encryptRange call; garbage is collected between slices. */
const SLICE_BYTES = 4 * 1024 * 1024;

/** What the first pass over a part learns: its digest, and each slice's, to check the second pass against. */
interface PartPlan {
  n: number;
  length: number;
  sha256: string;
  slices: string[];
}

function sliceBounds(enc: FileEncryptor, n: number): { start: number; end: number }[] {
  const { start, end } = enc.partRange(n);
  const out = [];
  for (let off = start; off < end; off += SLICE_BYTES) out.push({ start: off, end: Math.min(end, off + SLICE_BYTES) });
  if (out.length === 0) out.push({ start, end }); // never: a part holds at least the header
  return out;
}

/**
 * First pass over part n: its ciphertext made slice by slice (encryptRange gives
 * the same bytes however the range is cut, so this is exactly FileEncryptor's
 * part) and hashed, nothing kept. A digest recorded earlier must match
 * (otherwise the file changed: SourceChangedError, restart with a fresh salt);
 * a new one is recorded in `digests`, for the journal, before anything is sent.
 * Native SHA-256 here is several times faster than WebAssembly.
 */
async function planPart(enc: FileEncryptor, digests: (string | null)[], n: number, onBytes?: (b: number) => void): Promise<PartPlan> {
  const hash = createHash('sha256');
  const slices: string[] = [];
  let length = 0;
  for (const b of sliceBounds(enc, n)) {
    const slice = await encryptRange(enc.source, enc.keys, b.start, b.end);
    hash.update(slice);
    slices.push(createHash('sha256').update(slice).digest('hex'));
    length += slice.length;
    onBytes?.(slice.length);
    madeBytes(slice.length); // the chunk buffers WebCrypto made for this slice
  }
  const sha256 = hash.digest('hex');
  if (digests[n] != null && digests[n] !== sha256) throw new SourceChangedError(n);
  digests[n] = sha256;
  return { n, length, sha256, slices };
}

/**
 * Second pass: the part's body, made again slice by slice while it streams to
 * the server, so memory holds one slice per part in flight whatever the part
 * size. Each slice is compared with the first pass before it is written: no
 * byte that differs from the recorded digest ever leaves.
 */
function partBody(enc: FileEncryptor, plan: PartPlan, onBytes: (b: number) => void, onChanged: () => void): SizedBody {
  return new SizedBody(plan.length, async function* () {
    const bounds = sliceBounds(enc, plan.n);
    for (const [k, b] of bounds.entries()) {
      const slice = await encryptRange(enc.source, enc.keys, b.start, b.end);
      if (createHash('sha256').update(slice).digest('hex') !== plan.slices[k]) {
        onChanged();
        throw new SourceChangedError(plan.n);
      }
      yield slice;
      onBytes(slice.length);
      madeBytes(slice.length);
    }
  });
}

export async function uploadShare(o: UploadOptions): Promise<UploadResult> {
  const started = Date.now();
  const config = await withRetry(() => o.client.config());
  const expiresIn = checkLimits(config, o);
  const names = o.files.map((f) => f.name);
  const paths = o.files.map((f) => f.path);

  // ---- resume or create -------------------------------------------------
  let journal: CliJournal | null = await loadJournal(o.journalFile);
  let keys: ShareKeys | null = null;
  let onServer: Set<string> = new Set();
  const abandon = async (why: string) => {
    o.log(`${why} Starting a new share.`);
    const j = journal!;
    // The old share is useless now: free its storage (best effort).
    await o.client.revoke(j.id, j.ownerToken).catch(() => {});
    await deleteJournal(o.journalFile);
    journal = null;
  };

  if (journal) {
    const j = journal;
    if (j.server !== o.server || JSON.stringify(j.names) !== JSON.stringify(names) || JSON.stringify(j.paths) !== JSON.stringify(paths)) {
      await abandon('The interrupted upload was for other files.');
    } else if (o.files.some((f, i) => f.size !== j.sizes[i])) {
      await abandon(`${o.files.find((f, i) => f.size !== j.sizes[i])!.name} changed size since the interrupted upload.`);
    } else if ((j.pwSalt === null) !== (o.password === null)) {
      await abandon('The password option differs from the interrupted upload.');
    } else {
      const k = await deriveShareKeys(parseLinkSecret(j.secret), await passwordKey(o.password, j.pwSalt ? b64uDecode(j.pwSalt, 16) : null));
      if (b64(k.authPub) !== j.authPub) {
        await abandon('The password differs from the one of the interrupted upload.');
      } else {
        try {
          if (j.manifest) {
            // Finalize was sent before; the same bytes again are accepted (idempotent).
            const fin = await withRetry(() => o.client.finalize(j.id, j.ownerToken, j.manifest!));
            await deleteJournal(o.journalFile);
            return result(j, fin.expiresAt, 0, 0, 0);
          }
          const up = await withRetry(() => o.client.uploads(j.id, j.ownerToken));
          onServer = new Set(up.files.flatMap((f) => f.parts.map((n) => `${f.index}/${n}`)));
          keys = k;
          o.log(`Resuming the interrupted upload of share ${j.id}.`);
        } catch (e) {
          if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) await abandon(`The interrupted share is no longer usable on the server (${e.code}).`);
          else throw e;
        }
      }
    }
  }

  if (!journal || !keys) {
    const secret = generateLinkSecret();
    const pwSalt = o.password ? newPasswordSalt() : null;
    keys = await deriveShareKeys(parseLinkSecret(secret), await passwordKey(o.password, pwSalt));
    // Retried only when the server surely did not create it (429): a lost answer to
    // a create that went through must not lead to a second share under the same S.
    const created = await withRetry(
      () =>
        o.client.createShare(
          {
            expiresIn,
            maxDownloads: o.maxDownloads,
            linkPub: b64(keys!.linkPub),
            authPub: b64(keys!.authPub),
            password: pwSalt ? { salt: b64(pwSalt), kdf: { ...KDF_V1 } } : null,
            files: o.files.map((f) => ({ size: ciphertextSize(f.size) })),
          },
          o.uploadToken,
        ),
      { attempts: 4, retryIf: (e) => e instanceof ApiError && e.status === 429 },
    ).catch((e) => {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) throw usage(`The server refused the upload token (${e.message}). Check --token or SEALDROP_TOKEN.`);
      throw e;
    });
    journal = {
      v: 1,
      id: created.id,
      ownerToken: created.ownerToken,
      secret,
      partBytes: created.partBytes,
      salts: o.files.map(() => ''),
      sizes: o.files.map((f) => f.size),
      lastModified: o.files.map((f) => f.mtimeMs),
      partDigests: o.files.map(() => []),
      server: o.server,
      createdAt: new Date().toISOString(),
      names,
      paths,
      pwSalt: pwSalt ? b64(pwSalt) : null,
      authPub: b64(keys.authPub),
      hashes: o.files.map(() => null),
      manifest: null,
      expiresIn,
      maxDownloads: o.maxDownloads,
    };
    onServer = new Set();
  }
  const j: CliJournal = journal;
  const k: ShareKeys = keys;
  const writer = new JournalWriter(o.journalFile, j);
  await writer.save();
  const context = shareContext(j.id);

  /** Opens file i for encryption: resumes its salt from the journal, or draws a fresh one (recorded before any part is made). */
  const openFile = async (i: number): Promise<{ enc: FileEncryptor; src: FileSource }> => {
    const src = await fileSource(o.files[i].path);
    if (src.size !== j.sizes[i]) {
      await src.close();
      throw new CliError(EXIT.usage, `${o.files[i].name} changed size while being sent. Run the same command again to start over.`);
    }
    const key = await k.fileKey(i);
    let enc: FileEncryptor;
    if (j.salts[i]) enc = await FileEncryptor.resume(src, key, context, j.partBytes, b64uDecode(j.salts[i], 24), j.partDigests[i]);
    else {
      enc = await FileEncryptor.create(src, key, context, j.partBytes);
      j.salts[i] = b64(enc.salt);
      j.partDigests[i] = new Array<string | null>(enc.partCount).fill(null);
      await writer.save();
    }
    return { enc, src };
  };

  // ---- phase A: re-check every part made before (resume only) ------------
  const restart = async (i: number, why: string) => {
    o.log(`${o.files[i].name} ${why}: uploading it again from the start with a fresh salt.`);
    j.salts[i] = '';
    j.partDigests[i] = [];
    j.hashes[i] = null;
    for (const key of [...onServer]) if (key.startsWith(`${i}/`)) onServer.delete(key);
    await writer.save();
  };
  const toCheck: number[] = [];
  for (let i = 0; i < o.files.length; i++) {
    if (!j.salts[i]) continue;
    const digests = j.partDigests[i];
    // On the server but never recorded here: cannot be proven to be the same plaintext.
    if ([...onServer].some((key) => key.startsWith(`${i}/`) && digests[Number(key.split('/')[1])] == null)) await restart(i, 'has parts the journal does not know');
    else if (digests.some((d) => d !== null)) toCheck.push(i);
  }
  if (toCheck.length > 0) {
    const checkBytes = toCheck.reduce((s, i) => s + j.partDigests[i].filter((x) => x !== null).length * Math.min(j.partBytes, ciphertextSize(o.files[i].size)), 0);
    const progress = new Progress({ label: 'Checking', total: checkBytes, quiet: o.quiet });
    for (const i of toCheck) {
      const { enc, src } = await openFile(i);
      try {
        let changed = false;
        for (let n = 0; n < enc.partCount && !changed; n++) {
          if (j.partDigests[i][n] == null) continue;
          try {
            await planPart(enc, j.partDigests[i], n, (b) => progress.add(b));
          } catch (e) {
            if (e instanceof SourceChangedError) changed = true;
            else throw e;
          }
        }
        if (changed) await restart(i, 'changed since the interrupted upload');
      } finally {
        await src.close();
      }
    }
    progress.finish();
  }
  const resumedParts = [...onServer].filter((key) => j.salts[Number(key.split('/')[0])] !== '').length;
  if (resumedParts > 0) o.log(`Resumed: ${resumedParts} part${resumedParts === 1 ? '' : 's'} already on the server will not be sent again.`);

  // ---- phase H: plaintext hashes (and signatures) for the manifest --------
  const stats = await Promise.all(o.files.map((f) => stat(f.path)));
  const toHash = o.files.map((_, i) => i).filter((i) => {
    const h = j.hashes[i];
    return !h || h.size !== stats[i].size || h.mtimeMs !== Math.floor(stats[i].mtimeMs) || (o.signer ? !h.minisig : false);
  });
  if (toHash.length > 0) {
    const total = toHash.reduce((s, i) => s + o.files[i].size, 0);
    const progress = new Progress({ label: 'Hashing', total, quiet: o.quiet || total < 8 * 1024 * 1024 });
    for (const i of toHash) {
      const { sha256, blake2b } = await hashFile(o.files[i], Boolean(o.signer), progress);
      const minisig = o.signer && blake2b ? formatSignature(signDigest(o.signer, blake2b, defaultTrustedComment(o.files[i].name))) : null;
      j.hashes[i] = { sha256, minisig, size: stats[i].size, mtimeMs: Math.floor(stats[i].mtimeMs) };
    }
    progress.finish();
    await writer.save();
  }

  // ---- phase B: send the missing parts in parallel ------------------------
  const tasks: { i: number; n: number; bytes: number }[] = [];
  for (let i = 0; i < o.files.length; i++) {
    const size = ciphertextSize(o.files[i].size);
    const count = Math.max(1, Math.ceil(size / j.partBytes));
    for (let n = 0; n < count; n++) {
      if (j.salts[i] && onServer.has(`${i}/${n}`)) continue;
      tasks.push({ i, n, bytes: Math.min(j.partBytes, size - n * j.partBytes) });
    }
  }
  const sendBytes = tasks.reduce((s, t) => s + t.bytes, 0);
  const progress = new Progress({ label: 'Uploading', total: sendBytes, quiet: o.quiet });
  const open = new Map<number, { p: Promise<{ enc: FileEncryptor; src: FileSource }>; left: number }>();
  for (const t of tasks) {
    const e = open.get(t.i);
    if (e) e.left++;
    else open.set(t.i, { p: null as never, left: 1 });
  }
  const encryptorFor = (i: number) => {
    const e = open.get(i)!;
    if (!e.p) {
      e.p = openFile(i);
      e.p.catch(() => {});
    }
    return e.p;
  };
  const release = async (i: number) => {
    const e = open.get(i)!;
    if (--e.left === 0) await (await e.p).src.close();
  };
  let next = 0;
  let failed: unknown = null;
  let sentParts = 0;
  const worker = async () => {
    while (!failed && next < tasks.length) {
      const t = tasks[next++];
      try {
        const { enc } = await encryptorFor(t.i);
        const changed = () =>
          new CliError(EXIT.usage, `${o.files[t.i].name} changed while being sent. Run the same command again: it will restart that file with a fresh salt.`);
        let plan: PartPlan;
        try {
          plan = await planPart(enc, j.partDigests[t.i], t.n);
        } catch (e) {
          throw e instanceof SourceChangedError ? changed() : e;
        }
        // The digest is on disk before a byte of this part leaves.
        await writer.save();
        let counted = 0;
        let sourceChanged = false;
        await withRetry(
          () => {
            progress.sub(counted);
            counted = 0;
            const body = partBody(
              enc,
              plan,
              (b) => {
                counted += b;
                progress.add(b);
              },
              () => (sourceChanged = true),
            );
            // putPart hands its body to the transport untouched; cliFetch streams a SizedBody.
            return o.client.putPart(j.id, j.ownerToken, t.i, t.n, body as unknown as Uint8Array).catch((e) => {
              throw sourceChanged ? new SourceChangedError(t.n) : e;
            });
          },
          {
            onRetry: (e, attempt, delay) => o.log(`Part ${t.n + 1} of ${o.files[t.i].name}: ${(e as Error).message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s.`),
          },
        ).catch((e) => {
          throw e instanceof SourceChangedError ? changed() : e;
        });
        sentParts++;
        await release(t.i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  const concurrency = Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY);
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, tasks.length)) }, worker));
  for (const [, e] of open) if (e.p) await e.p.then((x) => x.src.close()).catch(() => {});
  if (failed) {
    progress.abort();
    if (failed instanceof CliError) throw failed;
    const err = toCliError(failed);
    throw new CliError(err.code, `The upload stopped: ${err.message.replace(/\.$/, '')}. Run the same command again to resume where it stopped.`);
  }
  progress.finish();

  // Files must not have changed while they were read.
  const after = await Promise.all(o.files.map((f) => stat(f.path)));
  after.forEach((s, i) => {
    if (s.size !== j.hashes[i]!.size || Math.floor(s.mtimeMs) !== j.hashes[i]!.mtimeMs) {
      throw new CliError(EXIT.usage, `${o.files[i].name} changed while being sent. Run the same command again: it will restart that file.`);
    }
  });

  // ---- manifest and finalize ----------------------------------------------
  const manifest: Manifest = {
    v: 1,
    createdAt: new Date().toISOString(),
    files: o.files.map((f, i) => ({ name: f.name, size: f.size, type: typeHint(f.name), sha256: j.hashes[i]!.sha256 })),
  };
  if (o.note) manifest.note = o.note;
  if (o.signer) manifest.signatures = o.files.map((_, i) => ({ file: i, minisig: j.hashes[i]!.minisig! }));
  j.manifest = b64(await sealManifest(k, j.id, manifest));
  await writer.save();
  const fin = await withRetry(() => o.client.finalize(j.id, j.ownerToken, j.manifest!));
  await deleteJournal(o.journalFile);
  return result(j, fin.expiresAt, resumedParts, sentParts, sendBytes);

  function result(jj: CliJournal, expiresAt: string, resumed: number, sent: number, bytes: number): UploadResult {
    return {
      url: `${jj.server}/s/${jj.id}#${jj.secret}`,
      id: jj.id,
      expiresAt,
      ownerToken: jj.ownerToken,
      files: jj.names.map((name, i) => ({ name, size: jj.sizes[i], sha256: jj.hashes[i]?.sha256 ?? '' })),
      resumedParts: resumed,
      sentParts: sent,
      sentBytes: bytes,
      seconds: (Date.now() - started) / 1000,
    };
  }
}
