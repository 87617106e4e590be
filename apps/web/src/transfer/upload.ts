// The send flow (DESIGN.md "Data flow", sender side): keys, create, encrypt and
// upload parts in parallel with retries, resume from the journal, seal the
// manifest, finalize. Components call startSend / resumeSend / cancelSend /
// resetSend and render useUploadStore; nothing here touches the DOM.
import {
  b64uDecode,
  b64uEncode,
  blobSource,
  checkFileNames,
  ciphertextSize,
  deriveShareKeys,
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
import { ApiError, SealdropClient, type ConfigResponse } from '@sealdrop/shared';
import { api } from '../app/api.ts';
import { saveMyLink } from '../links/myLinks.ts';
import { deleteJournal, holdUploadLock, JournalWriter, type SendJournal } from './journal.ts';
import { createUploadCrypto, type UploadCrypto } from './uploadCrypto.ts';
import { isAbort, retrying } from './uploadRetry.ts';
import { initialUploadState, useUploadStore, type FileProgress, type SendResult } from './uploadStore.ts';
import { onUploadProgress, xhrFetch } from './uploadXhr.ts';

export interface SendFileInput {
  /** Relative, "/"-separated name as it goes into the manifest. */
  name: string;
  file: File;
}

export interface SendOptions {
  expiresIn: number;
  maxDownloads: number;
  password: string | null;
  /** Keep the full link (with its key) in this browser's "My links". */
  remember: boolean;
  /** Bearer token for servers whose uploadPolicy is "token". */
  uploadToken?: string;
  /** A message for the recipient, in the sealed manifest. */
  note?: string;
}

/** Parts in flight at once (DESIGN: 2 to 4). */
export const PARTS_IN_FLIGHT = 3;

/** A part request with no upload progress and no answer for this long is retried. */
export const PART_STALL_MS = 45_000;

/** Part PUTs go through XHR so the progress bar moves within a part. */
const uploadApi = new SealdropClient(location.origin, { fetch: xhrFetch });

/** An error whose message is meant for the user as is. */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    message: string,
    readonly kind: 'input' | 'password' | 'gone' | 'changed_size' | 'server' = 'server',
  ) {
    super(message);
  }
}

/** The server's limits (GET /api/config) against the selection: problems in plain words. */
export function checkLimits(files: SendFileInput[], config: ConfigResponse | undefined): string[] {
  const problems: string[] = [];
  if (!config) return problems;
  if (files.length > config.maxFiles) problems.push(`This server takes at most ${config.maxFiles} files in one share.`);
  const big = files.find((f) => ciphertextSize(f.file.size) > config.maxFileBytes);
  if (big) problems.push(`"${big.name}" is larger than this server accepts for one file.`);
  const total = files.reduce((n, f) => n + ciphertextSize(f.file.size), 0);
  if (total > config.maxShareBytes) problems.push('Together the files are larger than this server accepts for one share.');
  return problems;
}

/** Names (checkFileNames: each name's rules, then duplicates) and limits, before anything is sent. */
export function checkSelection(files: SendFileInput[], config: ConfigResponse | undefined, note?: string): string[] {
  if (files.length === 0 && !note?.trim()) return ['Add at least one file, or write a note to send on its own.'];
  const names = checkFileNames(files.map((f) => f.name));
  return [...(names ? [names] : []), ...checkLimits(files, config)];
}

// ------------------------------------------------------------------ one run

interface FileJob {
  index: number;
  name: string;
  file: File;
  inputKey: Uint8Array;
  enc: FileEncryptor;
  /** Parts the server has (verified on resume). */
  done: Set<number>;
  /** Ciphertext bytes of finished parts. */
  sentBytes: number;
  hash?: Promise<string>;
  sha256?: string;
}

interface Share {
  id: string;
  ownerToken: string;
  secret: string;
  keys: ShareKeys;
  context: Uint8Array;
  partBytes: number;
  writer: JournalWriter;
  passwordKey: Uint8Array | null;
}

class Run {
  readonly controller = new AbortController();
  readonly crypto: UploadCrypto = createUploadCrypto();
  share: Share | null = null;
  /** Releases this tab's "sending" lock on the share (see journal.ts). */
  releaseLock: () => void = () => {};
  jobs: FileJob[] = [];
  readonly inflight = new Map<string, number>();
  readonly started = performance.now();
  /** (time, bytes sent this session) samples for the speed shown. */
  readonly samples: { t: number; b: number }[] = [];
  sessionBytes = 0;
  baseBytes = 0;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  get signal() {
    return this.controller.signal;
  }

  /** Progress to the store, at most ~6 times a second. */
  progress(now = false) {
    if (now) return this.#flush();
    if (this.#flushTimer === null) this.#flushTimer = setTimeout(() => this.#flush(), 160);
  }

  #flush() {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (current !== this) return;
    const inflightBy = new Map<number, number>();
    for (const [key, n] of this.inflight) {
      const i = Number(key.split(':')[0]);
      inflightBy.set(i, (inflightBy.get(i) ?? 0) + n);
    }
    const files: FileProgress[] = this.jobs.map((j) => {
      const total = j.enc.ciphertextSize;
      const sent = Math.min(total, j.sentBytes + (inflightBy.get(j.index) ?? 0));
      const allSent = j.done.size === j.enc.partCount;
      return {
        name: j.name,
        size: j.file.size,
        sent,
        total,
        status: allSent ? (j.sha256 ? 'done' : 'hashing') : sent > 0 ? 'sending' : 'waiting',
        sha256: j.sha256,
      };
    });
    const sent = files.reduce((n, f) => n + f.sent, 0);
    const total = files.reduce((n, f) => n + f.total, 0);
    const t = performance.now();
    const session = Math.max(0, sent - this.baseBytes);
    this.samples.push({ t, b: session });
    while (this.samples.length > 2 && t - this.samples[0].t > 8000) this.samples.shift();
    const first = this.samples[0];
    const speed = t - first.t > 400 ? ((session - first.b) * 1000) / (t - first.t) : 0;
    useUploadStore.setState({ files, sent, total, speed, eta: speed > 0 ? (total - sent) / speed : Number.NaN });
  }
}

let current: Run | null = null;
/** The files, password key and journal of the last run, so "Try again" needs no re-selection. */
let lastInputs: { files: SendFileInput[]; passwordKey: Uint8Array | null; journal: SendJournal } | null = null;

function set(partial: Partial<typeof initialUploadState>) {
  useUploadStore.setState(partial);
}

/** What the user sees while a call other than a part upload is being retried. */
function retryNotice({ delayMs, offline }: { delayMs: number; offline: boolean }) {
  set({ notice: `${offline ? 'You are offline' : 'The server did not answer'}; trying again in ${Math.ceil(delayMs / 1000)} s.` });
}

// ------------------------------------------------------------------ entry points

/** Encrypts and uploads `files` as a new share. Never throws: the outcome is in the store. */
export async function startSend(files: SendFileInput[], opts: SendOptions): Promise<void> {
  if (current) throw new Error('An upload is already running.');
  const run = (current = new Run());
  useUploadStore.setState({ ...initialUploadState, phase: 'preparing', files: files.map(waitingFile), total: 0 });
  try {
    const config = await retrying(() => api.config(), { signal: run.signal, maxServerRetries: 3, retryNetwork: false });
    const problems = checkSelection(files, config, opts.note);
    if (problems.length) throw new SendError(problems.join('\n'), 'input');

    const secret = generateLinkSecret();
    let passwordKey: Uint8Array | null = null;
    let passwordSalt: Uint8Array | null = null;
    if (opts.password) {
      passwordSalt = newPasswordSalt();
      passwordKey = await run.crypto.derivePasswordKey(opts.password, passwordSalt);
    }
    run.signal.throwIfAborted();
    const keys = await deriveShareKeys(parseLinkSecret(secret), passwordKey);
    // Not retried on a lost connection: the server may have created the share, and
    // the same keys cannot register twice. A retry by the user draws a new secret.
    const request = {
      expiresIn: opts.expiresIn,
      maxDownloads: opts.maxDownloads,
      linkPub: b64uEncode(keys.linkPub),
      authPub: b64uEncode(keys.authPub),
      password: passwordSalt ? { salt: b64uEncode(passwordSalt), kdf: { ...KDF_V1 } } : null,
      files: files.map((f) => ({ size: ciphertextSize(f.file.size) })),
    };
    const created = await retrying(() => api.createShare(request, opts.uploadToken), { signal: run.signal, maxServerRetries: 3, retryNetwork: false });
    const context = shareContext(created.id);
    const jobs: FileJob[] = [];
    for (const [index, f] of files.entries()) {
      const inputKey = await keys.fileKey(index);
      const enc = await FileEncryptor.create(blobSource(f.file), inputKey, context, created.partBytes);
      jobs.push({ index, name: f.name, file: f.file, inputKey, enc, done: new Set(), sentBytes: 0 });
    }
    const journal: SendJournal = {
      v: 1,
      id: created.id,
      ownerToken: created.ownerToken,
      secret,
      partBytes: created.partBytes,
      salts: jobs.map((j) => b64uEncode(j.enc.salt)),
      sizes: files.map((f) => f.file.size),
      lastModified: files.map((f) => f.file.lastModified ?? null),
      partDigests: jobs.map((j) => new Array<string | null>(j.enc.partCount).fill(null)),
      createdAt: new Date().toISOString(),
      names: files.map((f) => f.name),
      types: files.map((f) => f.file.type),
      expiresIn: opts.expiresIn,
      maxDownloads: opts.maxDownloads,
      passwordSalt: passwordSalt ? b64uEncode(passwordSalt) : null,
      authPub: b64uEncode(keys.authPub),
      remember: opts.remember,
      ...(opts.note ? { note: opts.note } : {}),
    };
    const writer = new JournalWriter(journal);
    run.share = { id: created.id, ownerToken: created.ownerToken, secret, keys, context, partBytes: created.partBytes, writer, passwordKey };
    run.releaseLock = holdUploadLock(created.id);
    run.jobs = jobs;
    lastInputs = { files, passwordKey, journal };
    await writer.flush();
    await transfer(run);
  } catch (e) {
    fail(run, e);
  }
}

export interface ResumeInput {
  journal: SendJournal;
  /** The re-selected files, matched to the journal by name. */
  files: SendFileInput[];
  password?: string;
  /** Already derived (an in-session retry). */
  passwordKey?: Uint8Array | null;
}

/** Matches re-selected files to a journal: by name, else by base name and size when that is unambiguous. */
export function matchJournalFiles(journal: SendJournal, picked: SendFileInput[]): { files: (SendFileInput | null)[]; missing: string[] } {
  const byName = new Map(picked.map((p) => [p.name, p]));
  const base = (n: string) => n.slice(n.lastIndexOf('/') + 1);
  const files = journal.names.map((name, i) => {
    const exact = byName.get(name);
    if (exact) return exact;
    const candidates = picked.filter((p) => base(p.name) === base(name) && p.file.size === journal.sizes[i]);
    return candidates.length === 1 ? candidates[0] : null;
  });
  return { files, missing: journal.names.filter((_, i) => !files[i]) };
}

/** Continues an interrupted upload from its journal. Never throws: the outcome is in the store. */
export async function resumeSend(input: ResumeInput): Promise<void> {
  if (current) throw new Error('An upload is already running.');
  const { journal } = input;
  const run = (current = new Run());
  const matched = matchJournalFiles(journal, input.files);
  useUploadStore.setState({
    ...initialUploadState,
    phase: 'preparing',
    resumed: true,
    files: journal.names.map((name, i) => ({ name, size: journal.sizes[i], sent: 0, total: ciphertextSize(journal.sizes[i]), status: 'waiting' })),
  });
  try {
    if (matched.missing.length) throw new SendError(`Select the same files again. Missing: ${matched.missing.join(', ')}`, 'input');
    const files = matched.files as SendFileInput[];

    let passwordKey = input.passwordKey ?? null;
    if (journal.passwordSalt && !passwordKey) {
      if (!input.password) throw new SendError('This upload has a password: enter it again to resume.', 'password');
      passwordKey = await run.crypto.derivePasswordKey(input.password, b64uDecode(journal.passwordSalt, 16));
    }
    const keys = await deriveShareKeys(parseLinkSecret(journal.secret), passwordKey);
    if (b64uEncode(keys.authPub) !== journal.authPub) throw new SendError('That is not the password this upload was started with.', 'password');

    let uploads;
    try {
      uploads = await retrying(() => api.uploads(journal.id, journal.ownerToken), { signal: run.signal, onRetry: retryNotice });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 410 || e.status === 401 || e.status === 409)) {
        await deleteJournal(journal.id).catch(() => {});
        throw new SendError('The server no longer holds this upload (it was cancelled, expired or swept). Send the files again.', 'gone');
      }
      throw e;
    }
    const changedSize = files.findIndex((f, i) => f.file.size !== journal.sizes[i]);
    if (changedSize >= 0) {
      // The share declared each file's size at create: it cannot take another one.
      await api.revoke(journal.id, journal.ownerToken).catch(() => {});
      await deleteJournal(journal.id).catch(() => {});
      throw new SendError(
        `"${journal.names[changedSize]}" changed size since the upload began, so the interrupted share cannot take it. It was cancelled; send the files again.`,
        'changed_size',
      );
    }

    const context = shareContext(journal.id);
    const writer = new JournalWriter(journal);
    run.share = { id: journal.id, ownerToken: journal.ownerToken, secret: journal.secret, keys, context, partBytes: journal.partBytes, writer, passwordKey };
    run.releaseLock = holdUploadLock(journal.id);
    lastInputs = { files, passwordKey, journal };
    set({ phase: 'checking' });
    const onServer = new Map(uploads.files.map((f) => [f.index, new Set(f.parts)]));
    for (const [index, f] of files.entries()) {
      const inputKey = await keys.fileKey(index);
      const salt = b64uDecode(journal.salts[index], 24);
      const enc = await FileEncryptor.resume(blobSource(f.file), inputKey, context, journal.partBytes, salt, journal.partDigests[index]);
      const job: FileJob = { index, name: journal.names[index], file: f.file, inputKey, enc, done: new Set(), sentBytes: 0 };
      run.jobs.push(job);
      const sameDate = (journal.lastModified[index] ?? null) === (f.file.lastModified ?? null);
      const intact = sameDate && (await verifyFile(run, job, onServer.get(index) ?? new Set()));
      if (!intact) await restartFile(run, job);
    }
    run.baseBytes = run.jobs.reduce((n, j) => n + j.sentBytes, 0);
    await transfer(run);
  } catch (e) {
    fail(run, e);
  }
}

/** "Try again" after an error, with the files still in memory. */
export async function retrySend(): Promise<void> {
  if (!lastInputs) throw new Error('Nothing to retry.');
  const { journal, files, passwordKey } = lastInputs;
  await resumeSend({ journal, files, passwordKey });
}

/** Stops the upload, revokes the half-made share and forgets its journal. */
export async function cancelSend(): Promise<void> {
  const run = current;
  const journal = run?.share?.writer.journal ?? lastInputs?.journal ?? null;
  if (run) {
    run.controller.abort();
    run.crypto.terminate();
    run.releaseLock();
    current = null;
  }
  lastInputs = null;
  useUploadStore.setState({ ...initialUploadState });
  if (journal) {
    await run?.share?.writer.delete();
    await discardJournal(journal);
  }
}

/** Back to an empty page ("Send more files"). */
export function resetSend(): void {
  if (current) return;
  lastInputs = null;
  useUploadStore.setState({ ...initialUploadState });
}

/** Discards an interrupted upload found after a reload: revoke it, delete its journal. */
export async function discardJournal(journal: SendJournal): Promise<void> {
  await deleteJournal(journal.id).catch(() => {});
  await api.revoke(journal.id, journal.ownerToken).catch(() => {});
}

// ------------------------------------------------------------------ the transfer

function waitingFile(f: SendFileInput): FileProgress {
  return { name: f.name, size: f.file.size, sent: 0, total: ciphertextSize(f.file.size), status: 'waiting' };
}

/**
 * Makes part n of a file (a Blob: Chromium streams a Blob body from blob storage,
 * about twice as fast here as a Uint8Array body, and it is not in the page's
 * heap), checking it against a digest recorded earlier.
 */
async function makePart(run: Run, job: FileJob, n: number): Promise<{ body: Blob; sha256: string }> {
  const share = run.share!;
  const { start, end } = job.enc.partRange(n);
  const { body, sha256 } = await run.crypto.makePart(job.file, job.inputKey, share.context, job.enc.salt, start, end);
  const recorded = share.writer.journal.partDigests[job.index][n];
  if (recorded && recorded !== sha256) throw new SourceChangedError(n);
  return { body, sha256 };
}

/**
 * Resume: re-makes every part whose digest the journal recorded and compares.
 * Parts the server has and that match count as done. False when the file changed.
 */
async function verifyFile(run: Run, job: FileJob, onServer: Set<number>): Promise<boolean> {
  const digests = run.share!.writer.journal.partDigests[job.index];
  if (digests.length !== job.enc.partCount) return false;
  for (let n = 0; n < job.enc.partCount; n++) {
    if (!digests[n]) continue;
    run.signal.throwIfAborted();
    try {
      const { body } = await makePart(run, job, n);
      if (onServer.has(n)) {
        job.done.add(n);
        job.sentBytes += body.size;
        run.progress();
      }
    } catch (e) {
      if (e instanceof SourceChangedError) return false;
      throw e;
    }
  }
  return true;
}

/** The file changed: a fresh salt (a new message), every part sent again. */
async function restartFile(run: Run, job: FileJob): Promise<void> {
  const share = run.share!;
  job.enc = await FileEncryptor.create(blobSource(job.file), job.inputKey, share.context, share.partBytes);
  job.done.clear();
  job.sentBytes = 0;
  await share.writer.restartFile(job.index, b64uEncode(job.enc.salt), job.enc.partCount, job.file.lastModified ?? null);
  run.progress();
}

async function transfer(run: Run): Promise<void> {
  const share = run.share!;
  const { signal } = run;
  set({ phase: 'uploading' });
  run.progress(true);

  const onOffline = () => set({ notice: 'You are offline. The upload continues by itself when the connection is back.' });
  const onOnline = () => set({ notice: 'Back online: continuing the upload.' });
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  try {
    // Whole-file SHA-256 for the manifest, one file after the other in the hashing
    // worker, while the parts are encrypted and sent.
    let hashChain: Promise<unknown> = Promise.resolve();
    for (const job of run.jobs) {
      job.hash = hashChain.then(() => run.crypto.sha256Blob(job.file));
      job.hash.then(
        (h) => {
          job.sha256 = h;
          run.progress();
        },
        () => {},
      );
      hashChain = job.hash.catch(() => {});
    }

    const queue: { job: FileJob; n: number }[] = [];
    for (const job of run.jobs) for (let n = 0; n < job.enc.partCount; n++) if (!job.done.has(n)) queue.push({ job, n });
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        signal.throwIfAborted();
        const { job, n } = queue[next++];
        await sendPart(run, job, n);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, queue.length) }, worker));

    const hashes = await Promise.all(run.jobs.map((j) => j.hash!));
    set({ phase: 'finalizing', notice: null });
    run.progress(true);
    const journal = share.writer.journal;
    const manifest: Manifest = {
      v: 1,
      createdAt: new Date().toISOString(),
      files: run.jobs.map((j, i) => ({ name: j.name, size: j.file.size, type: j.file.type || journal.types[i] || '', sha256: hashes[i] })),
      ...(journal.note ? { note: journal.note } : {}),
    };
    // Sealed once: a retried finalize must send the very same bytes (a different
    // manifest is 409).
    const sealed = b64uEncode(await sealManifest(share.keys, share.id, manifest));
    const fin = await retrying(() => api.finalize(share.id, share.ownerToken, sealed), { signal, onRetry: retryNotice });
    await share.writer.delete();

    const url = `${location.origin}/s/${share.id}#${share.secret}`;
    saveMyLink({
      id: share.id,
      ownerToken: share.ownerToken,
      createdAt: journal.createdAt,
      expiresAt: fin.expiresAt,
      maxDownloads: journal.maxDownloads,
      files: run.jobs.length,
      hasPassword: !!journal.passwordSalt,
      ...(journal.remember ? { url } : {}),
    });
    const seconds = (performance.now() - run.started) / 1000;
    const total = run.jobs.reduce((n, j) => n + j.enc.ciphertextSize, 0);
    const result: SendResult = {
      id: share.id,
      ownerToken: share.ownerToken,
      url,
      expiresAt: fin.expiresAt,
      expiresIn: journal.expiresIn,
      maxDownloads: journal.maxDownloads,
      hasPassword: !!journal.passwordSalt,
      files: run.jobs.map((j, i) => ({ name: j.name, size: j.file.size, sha256: hashes[i] })),
      averageSpeed: seconds > 0 ? (total - run.baseBytes) / seconds : 0,
      seconds,
    };
    run.crypto.terminate();
    run.releaseLock();
    current = null;
    lastInputs = null;
    set({ phase: 'done', result, notice: null, sent: total, total, speed: 0, eta: 0 });
  } finally {
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
  }
}

async function sendPart(run: Run, job: FileJob, n: number): Promise<void> {
  const share = run.share!;
  const { body, sha256 } = await makePart(run, job, n);
  const partSize = body.size;
  // The digest is on disk before the part leaves: a part the server has is always
  // one the journal can check after a reload.
  await share.writer.recordPart(job.index, n, sha256);
  const key = `${job.index}:${n}`;
  await retrying(
    async () => {
      // A request that makes no progress for a while (a half-open connection, a
      // server that never answers) is given up and retried, not waited on forever.
      const attempt = new AbortController();
      const onRunAbort = () => attempt.abort();
      run.signal.addEventListener('abort', onRunAbort, { once: true });
      let stalled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const watch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          stalled = true;
          attempt.abort();
        }, PART_STALL_MS);
      };
      watch();
      run.inflight.set(key, 0);
      const off = onUploadProgress(body, (loaded) => {
        watch();
        run.inflight.set(key, loaded);
        run.progress();
      });
      try {
        await uploadApi.putPart(share.id, share.ownerToken, job.index, n, body, attempt.signal);
      } catch (e) {
        if (stalled && !run.signal.aborted) throw new ApiError(0, 'network', `part ${n} made no progress for ${PART_STALL_MS / 1000} s`);
        throw e;
      } finally {
        clearTimeout(timer);
        run.signal.removeEventListener('abort', onRunAbort);
        off();
        run.inflight.delete(key);
      }
    },
    {
      signal: run.signal,
      onRetry: ({ delayMs, offline, error }) => {
        const why = offline || (error instanceof ApiError && error.code === 'network') || error instanceof TypeError ? 'the connection dropped' : 'the server was busy';
        set({ notice: `Sending part ${n + 1} of "${job.name}" failed (${why}); trying again in ${Math.ceil(delayMs / 1000)} s.` });
        run.progress();
      },
    },
  );
  job.done.add(n);
  job.sentBytes += partSize;
  if (useUploadStore.getState().notice) set({ notice: null });
  run.progress();
}

function fail(run: Run, e: unknown): void {
  if (current !== run) return; // cancelled: the store was already reset
  run.controller.abort();
  run.crypto.terminate();
  run.releaseLock();
  current = null;
  if (isAbort(e)) return;
  console.error(e);
  const share = run.share;
  useUploadStore.setState({
    phase: 'error',
    notice: null,
    error: describe(e),
    canResume: !!share && !!lastInputs && !(e instanceof SendError && e.kind !== 'server'),
  });
}

function describe(e: unknown): string {
  if (e instanceof SendError) return e.message;
  if (e instanceof SourceChangedError) return 'A file changed on disk while it was being sent. Send it again.';
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'network':
        return 'Cannot reach the server. Check the connection and try again.';
      case 'too_large':
        return 'The server refused the files: they are larger than it accepts.';
      case 'rate_limited':
        return 'The server is limiting uploads right now. Wait a minute and try again.';
      case 'unauthorized':
        return 'This server accepts uploads only with a valid upload token: check the token and try again.';
      case 'revoked':
      case 'expired':
      case 'not_found':
        return 'The server no longer holds this upload. Send the files again.';
      default:
        return `The server refused the upload: ${e.message}`;
    }
  }
  if ((e as Error)?.name === 'NotReadableError') return 'A file could not be read (it was moved, changed or deleted while sending).';
  return `Something went wrong: ${(e as Error)?.message ?? String(e)}`;
}

/** Exposed for the page: is an upload running in this tab? */
export function isSending(): boolean {
  return current !== null;
}
