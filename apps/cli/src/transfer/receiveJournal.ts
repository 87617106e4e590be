// The CLI's receive journal: what a killed or cut-off `receive` needs to resume
// without taking another download. A 0600 JSON file under the state folder
// (journal.ts), named by a hash of the server, the share id and the output
// folder, holding the grant with its expiry, the sealed manifest (ciphertext),
// the public password parameters and, per file, the hidden temporary file with
// the count of plaintext bytes already authenticated and written, the stream
// header and the SHA-256 of that prefix. No link secret and no plaintext name:
// the link is given again on resume. A grant only reads ciphertext of one share
// until it expires (at most 6 hours), so the journal is worth no more than that.

import { createHash } from 'node:crypto';
import { constants, readdirSync, readFileSync, rmSync } from 'node:fs';
import { lstat, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CHUNK_BYTES } from '@sealdrop/crypto';
import type { ShareInfoResponse } from '@sealdrop/shared';
import { stateDir, writePrivateJson } from '../journal.ts';
import type { IncrementalHash } from '@sealdrop/transfer';
import { createBlake2b512, type Blake2b512 } from '../minisign/sign.ts';
import { nodeSha256, type Checkpoint } from './download.ts';

export interface ReceiveFileEntry {
  index: number;
  /** Absolute path of the hidden `.NAME.<hex>.sealdrop-part` file. */
  temp: string;
  /** Plaintext bytes authenticated and written (a whole number of chunks, or the whole file). */
  bytes: number;
  /** The file's 56-byte stream header (b64u), needed to decrypt from a later chunk. */
  header: string | null;
  /** SHA-256 (hex) of the first `bytes` bytes of `temp`. */
  prefixSha256: string;
  /** The whole file authenticated and matched the manifest's SHA-256. */
  done: boolean;
}

export interface ReceiveJournal {
  v: 1;
  server: string;
  id: string;
  root: string;
  grant: string;
  grantExpiresAt: string;
  /** The sealed manifest (b64u) that came with the grant. */
  manifest: string;
  files: { index: number; size: number }[];
  /** Public password parameters (as GET /api/shares/:id gave them; checked again by unlockShare). */
  password: ShareInfoResponse['password'];
  entries: ReceiveFileEntry[];
}

const PREFIX = 'receive-';
const EMPTY_SHA256 = createHash('sha256').digest('hex');

export function receiveJournalPath(server: string, id: string, root: string): string {
  const digest = createHash('sha256').update(JSON.stringify(['sealdrop-receive-v1', server, id, root])).digest('hex');
  return path.join(stateDir(), `${PREFIX}${digest.slice(0, 32)}.json`);
}

function valid(j: ReceiveJournal): boolean {
  return (
    j?.v === 1 &&
    typeof j.server === 'string' &&
    typeof j.id === 'string' &&
    typeof j.root === 'string' &&
    typeof j.grant === 'string' &&
    typeof j.manifest === 'string' &&
    !Number.isNaN(Date.parse(j.grantExpiresAt)) &&
    Array.isArray(j.files) &&
    Array.isArray(j.entries) &&
    j.entries.every(
      (e) =>
        Number.isSafeInteger(e.index) &&
        typeof e.temp === 'string' &&
        path.isAbsolute(e.temp) &&
        e.temp.endsWith('.sealdrop-part') &&
        Number.isSafeInteger(e.bytes) &&
        e.bytes >= 0 &&
        typeof e.prefixSha256 === 'string',
    )
  );
}

export function loadReceiveJournal(file: string): ReceiveJournal | null {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as ReceiveJournal;
    return valid(j) ? j : null;
  } catch {
    return null;
  }
}

/** Milliseconds the journal's grant has left (negative once expired). */
export function grantLeftMs(j: Pick<ReceiveJournal, 'grantExpiresAt'>, now = Date.now()): number {
  return Date.parse(j.grantExpiresAt) - now;
}

/** "until 14:05:09 UTC (in 5 h 59 min)" */
export function resumeWindow(grantExpiresAt: string, now = Date.now()): string {
  const left = Math.max(0, Date.parse(grantExpiresAt) - now);
  const min = Math.floor(left / 60_000);
  const span = min >= 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : min >= 1 ? `${min} min` : `${Math.ceil(left / 1000)} s`;
  return `until ${new Date(grantExpiresAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (in ${span})`;
}

/** Removes the temporary files a journal lists, then the journal. */
export function discardReceive(file: string, j: ReceiveJournal | null): void {
  for (const e of j?.entries ?? []) rmSync(e.temp, { force: true });
  rmSync(file, { force: true });
}

/** Journals whose grant has expired can never resume: remove them with their files. */
export function sweepExpiredReceives(keep: string): void {
  let names: string[];
  try {
    names = readdirSync(stateDir());
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(PREFIX) || !n.endsWith('.json')) continue;
    const file = path.join(stateDir(), n);
    if (file === keep) continue;
    const j = loadReceiveJournal(file);
    if (j && grantLeftMs(j) > 0) continue;
    discardReceive(file, j);
  }
}

const LEFTOVER = /^\.(.+)\.[0-9a-f]{12}\.sealdrop-part$/;

/** A leftover temporary file of `target` (`.NAME.<hex>.sealdrop-part` beside it)? */
export function isTempOf(target: string, temp: string): boolean {
  const m = LEFTOVER.exec(path.basename(temp));
  return path.dirname(temp) === path.dirname(target) && m?.[1] === path.basename(target);
}

/** Deletes `.NAME.<hex>.sealdrop-part` files beside `target` that no journal entry in `keep` resumes. */
export async function removeLeftovers(target: string, keep: Set<string>): Promise<string[]> {
  const dir = path.dirname(target);
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const n of names) {
    const full = path.join(dir, n);
    if (!isTempOf(target, full) || keep.has(full)) continue;
    const st = await lstat(full).catch(() => null);
    if (!st?.isFile()) continue;
    await rm(full, { force: true });
    removed.push(full);
  }
  return removed;
}

export interface Resumed {
  fh: FileHandle;
  bytes: number;
  header: Uint8Array | null;
  /** The SHA-256 that has seen exactly the verified prefix: the engine goes on from it. */
  sha: IncrementalHash;
  blake: Blake2b512 | null;
}

/**
 * Opens a journal entry's temporary file for resuming: a regular file (never a
 * link) whose first `bytes` bytes still hash to the recorded SHA-256. Bytes past
 * the recorded prefix (written after the last checkpoint) are cut off. Returns
 * null when the file is missing or changed; the caller then starts it over.
 */
export async function reopenVerified(e: ReceiveFileEntry, blake2b: boolean): Promise<Resumed | null> {
  const st = await lstat(e.temp).catch(() => null);
  if (!st?.isFile() || st.size < e.bytes) return null;
  const fh = await open(e.temp, constants.O_RDWR | constants.O_NOFOLLOW).catch(() => null);
  if (!fh) return null;
  try {
    const sha = createHash('sha256');
    const blake = blake2b ? await createBlake2b512() : null;
    if (e.bytes > 0) {
      for await (const chunk of fh.createReadStream({ start: 0, end: e.bytes - 1, autoClose: false, highWaterMark: 1 << 20 })) {
        sha.update(chunk as Buffer);
        blake?.update(chunk as Buffer);
      }
    }
    if (sha.copy().digest('hex') !== (e.bytes === 0 ? EMPTY_SHA256 : e.prefixSha256)) {
      await fh.close();
      return null;
    }
    await fh.truncate(e.bytes);
    const header = e.header ? Uint8Array.from(Buffer.from(e.header, 'base64url')) : null;
    if (!e.done && e.bytes > 0 && header?.length !== 56) {
      await fh.close();
      return null;
    }
    return { fh, bytes: e.bytes, header, sha: nodeSha256(sha), blake };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Saves the journal as downloads advance: at most every `everyMs` (a later point is saved by a timer). */
export class ReceiveJournalWriter {
  #chain: Promise<void> = Promise.resolve();
  #last = 0;
  #timer: NodeJS.Timeout | null = null;
  #pending: { e: ReceiveFileEntry; fh: FileHandle; c: Checkpoint } | null = null;
  constructor(
    readonly file: string,
    readonly journal: ReceiveJournal,
    readonly everyMs = 500,
  ) {}

  entry(index: number): ReceiveFileEntry | undefined {
    return this.journal.entries.find((e) => e.index === index);
  }

  save(): Promise<void> {
    this.#last = Date.now();
    const next = this.#chain.then(() => writePrivateJson(this.file, this.journal));
    this.#chain = next.catch(() => {});
    return next;
  }

  /** Records that `c.bytes` of entry `e` are authenticated and written to `fh` (whole chunks only). */
  checkpoint(e: ReceiveFileEntry, fh: FileHandle, c: Checkpoint): Promise<void> {
    if (c.bytes % CHUNK_BYTES !== 0) return Promise.resolve();
    this.#pending = { e, fh, c };
    const wait = this.everyMs - (Date.now() - this.#last);
    if (wait <= 0) return this.#write();
    this.#timer ??= setTimeout(() => void this.#write().catch(() => {}), wait);
    return Promise.resolve();
  }

  /** Writes what is pending now; call before closing the file handle. */
  async settle(): Promise<void> {
    if (this.#pending) await this.#write().catch(() => {});
  }

  async #write(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const p = this.#pending;
    this.#pending = null;
    if (!p) return;
    this.#last = Date.now();
    // The data reaches the disk before the journal says so: it never claims more than the file holds.
    await p.fh.datasync();
    p.e.bytes = p.c.bytes;
    p.e.header = p.c.header ? Buffer.from(p.c.header).toString('base64url') : null;
    p.e.prefixSha256 = p.c.prefixSha256;
    await this.save();
  }
}

