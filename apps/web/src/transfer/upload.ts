// The browser's adapter of the send flow of @sealdrop/transfer: the engine runs
// the protocol (keys, salts, digests, create/resume, parts, manifest, finalize);
// this file gives it the browser's ports (the crypto worker pool, XHR with
// progress, IndexedDB, the `online` event) and turns its events into
// useUploadStore. Components call startSend / resumeSend / cancelSend / resetSend.
import { ciphertextSize, SourceChangedError } from '@sealdrop/crypto';
import { ApiError, SealdropClient, shareRulesProblems, splitList, type ConfigResponse, type ShareRules } from '@sealdrop/shared';
import type { Recipient } from '@sealdrop/crypto';
import { journalRecipients, sealedFingerprints } from '../keys/sealedSend.ts';
import { requestReceipts } from './receipts.ts';
import {
  createWakeup,
  isAbort,
  planSend,
  PlanError,
  sendFiles,
  TransferError,
  UNTIL_CANCELLED,
  type Connectivity,
  type PartUpload,
  type SendProblem,
  type TransferEvent,
} from '@sealdrop/transfer';
import { api } from '../app/api.ts';
import { saveMyLink } from '../links/myLinks.ts';
import { deleteJournal, holdUploadLock, journalStore, type SendJournal } from './journal.ts';
import { createUploadCrypto, type UploadCrypto } from './uploadCrypto.ts';
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
  /** v1.1: seal the share to these public keys; the link then holds no secret. */
  recipients?: Recipient[];
  /** v1.1: a file request's id (its key is the one recipient). */
  request?: string;
  /** Owner receipts: a URL told of this share's events, registered once the share exists. */
  notifyUrl?: string;
  /** Partner access: labels and the label a recipient's partner token must carry. */
  rules?: ShareRules;
}

/** The Options' partner fields (typed text) as share rules. */
export function rulesFromFields(f: { labels: string; requireLabel: string }): ShareRules {
  const labels = splitList(f.labels);
  const requireLabel = f.requireLabel.trim();
  return { ...(labels.length ? { labels } : {}), ...(requireLabel ? { requireLabel } : {}) };
}

const RULE_FIELD: Record<string, string> = { labels: 'Labels', requireLabel: 'Require a partner token with label' };
/** The shared validators' verdict on the rules, in the Options' field names. */
export const checkRules = (r: ShareRules): string[] => shareRulesProblems(r).map((p) => p.replace(/^(\w+)/, (f) => RULE_FIELD[f] ?? f));

/** Parts in flight at once (DESIGN: 2 to 4). */
export const PARTS_IN_FLIGHT = 3;

/** A part request with no upload progress and no answer for this long is retried. */
export const PART_STALL_MS = 45_000;

/** Part PUTs go through XHR so the progress bar moves within a part. */
const uploadApi = new SealdropClient(location.origin, { fetch: xhrFetch });

/** The browser's network state for the engine's retry policy: retry at once when it is back online. */
const connectivity: Connectivity = {
  online: () => navigator.onLine !== false,
  whenOnline(fn) {
    window.addEventListener('online', fn, { once: true });
    return () => window.removeEventListener('online', fn);
  },
};

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

function wordProblem(p: SendProblem): string {
  switch (p.kind) {
    case 'no_files':
      return 'Add at least one file, or write a note to send on its own.';
    case 'bad_names':
      return p.message;
    case 'too_many_files':
      return `This server takes at most ${p.max} files in one share.`;
    case 'file_too_large':
      return `"${p.name}" is larger than this server accepts for one file.`;
    case 'share_too_large':
      return 'Together the files are larger than this server accepts for one share.';
    case 'expiry_too_long':
      return 'This server does not keep shares that long.';
    case 'too_many_downloads':
      return `This server allows at most ${p.max} downloads per share.`;
    case 'token_required':
      return 'This server accepts uploads only with an upload token.';
  }
}

const asPlanInput = (files: SendFileInput[]) => ({ files: files.map((f) => ({ name: f.name, size: f.file.size })) });
/** What the selection itself can get wrong (the page's fields keep the expiry, downloads and token within bounds). */
const SELECTION_PROBLEMS = new Set<SendProblem['kind']>(['no_files', 'bad_names', 'too_many_files', 'file_too_large', 'share_too_large']);

/** The server's limits (GET /api/config) against the selection: problems in plain words. */
export function checkLimits(files: SendFileInput[], config: ConfigResponse | undefined): string[] {
  if (!config || files.length === 0) return [];
  return planSend(config, asPlanInput(files))
    .filter((p) => p.kind !== 'bad_names' && SELECTION_PROBLEMS.has(p.kind))
    .map(wordProblem);
}

/** Names (each name's rules, then duplicates) and limits, before anything is sent. A note may go on its own. */
export function checkSelection(files: SendFileInput[], config: ConfigResponse | undefined, note?: string): string[] {
  const problems = planSend(config ?? ({ maxFiles: Infinity, maxFileBytes: Infinity, maxShareBytes: Infinity } as ConfigResponse), { ...asPlanInput(files), note });
  return problems.filter((p) => SELECTION_PROBLEMS.has(p.kind)).map(wordProblem);
}

// ------------------------------------------------------------------ one run

/** The state of the one upload of this tab: what the store shows, built from the engine's events. */
class Run {
  readonly controller = new AbortController();
  /** "Retry now": ends the engine's waits between attempts. */
  readonly wakeup = createWakeup();
  readonly crypto: UploadCrypto = createUploadCrypto();
  /** Releases this tab's "sending" lock on the share (see journal.ts). */
  releaseLock: () => void = () => {};
  journal: SendJournal | null = null;
  files: SendFileInput[] = [];
  /** Per file: ciphertext bytes of parts on the server, and its plaintext hash once known. */
  sent: number[] = [];
  sha256: (string | undefined)[] = [];
  readonly inflight = new Map<string, number>();
  readonly started = performance.now();
  readonly samples: { t: number; b: number }[] = [];
  baseBytes = 0;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(files: SendFileInput[]) {
    this.files = files;
    this.sent = files.map(() => 0);
    this.sha256 = files.map(() => undefined);
  }

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
    const files: FileProgress[] = this.files.map((f, i) => {
      const total = ciphertextSize(f.file.size);
      const sent = Math.min(total, this.sent[i] + (inflightBy.get(i) ?? 0));
      const allSent = this.sent[i] >= total;
      return { name: f.name, size: f.file.size, sent, total, status: allSent ? (this.sha256[i] ? 'done' : 'hashing') : sent > 0 ? 'sending' : 'waiting', sha256: this.sha256[i] };
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

  /** The engine's events, as store state. */
  onEvent = (e: TransferEvent) => {
    switch (e.type) {
      case 'phase':
        if (e.phase === 'checking' || e.phase === 'uploading' || e.phase === 'finalizing') set({ phase: e.phase, ...(e.phase === 'finalizing' ? { notice: null, waiting: null } : {}) });
        this.progress(true);
        break;
      case 'created':
        this.releaseLock = holdUploadLock(e.id);
        break;
      case 'file-restarted':
        this.sent[e.file] = 0;
        this.progress();
        break;
      case 'part-progress':
        this.inflight.set(`${e.file}:${e.part}`, e.sent);
        this.progress();
        break;
      case 'part-done':
        this.inflight.delete(`${e.file}:${e.part}`);
        this.sent[e.file] += e.bytes;
        if (e.resumed) this.baseBytes += e.bytes;
        if (!e.resumed && (useUploadStore.getState().notice || useUploadStore.getState().waiting)) set({ notice: null, waiting: null });
        this.progress();
        break;
      case 'file-hashed':
        this.sha256[e.file] = e.sha256;
        this.progress();
        break;
      case 'retry': {
        // The engine waits this out however long the outage lasts (UNTIL_CANCELLED); the page shows when it tries next.
        let reason = e.offline ? 'you are offline' : 'the server did not answer';
        if (e.part !== undefined) {
          this.inflight.delete(`${e.file}:${e.part}`);
          const network = e.offline || (e.error instanceof ApiError && e.error.code === 'network') || e.error instanceof TypeError;
          reason = `sending part ${e.part + 1} of "${this.files[e.file!].name}" failed (${network ? 'the connection dropped' : 'the server was busy'})`;
        }
        set({ notice: null, waiting: { until: Date.now() + e.delayMs, reason } });
        this.progress();
        break;
      }
      default:
        break;
    }
  };
}

let current: Run | null = null;
/** The files, password and journal of the last run, so "Try again" needs no re-selection (kept in memory only). */
let lastInputs: { files: SendFileInput[]; password: string | null; passwordKey: Uint8Array | null; journal: SendJournal } | null = null;

function set(partial: Partial<typeof initialUploadState>) {
  useUploadStore.setState(partial);
}

/** XHR with upload progress; a request that makes no progress for PART_STALL_MS is given up (and retried by the engine). */
async function sendPart(u: PartUpload<Blob>): Promise<void> {
  const attempt = new AbortController();
  const onRunAbort = () => attempt.abort();
  u.signal.addEventListener('abort', onRunAbort, { once: true });
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
  const off = onUploadProgress(u.body, (loaded) => {
    watch();
    u.onProgress(loaded);
  });
  try {
    await uploadApi.putPart(u.id, u.ownerToken, u.file, u.part, u.body, attempt.signal);
  } catch (e) {
    if (stalled && !u.signal.aborted) throw new ApiError(0, 'network', `part ${u.part} made no progress for ${PART_STALL_MS / 1000} s`);
    throw e;
  } finally {
    clearTimeout(timer);
    u.signal.removeEventListener('abort', onRunAbort);
    off();
  }
}

/** Runs the engine for `run` with the browser's ports; the outcome goes to the store. */
async function transfer(run: Run, files: SendFileInput[], password: string | null, passwordKey: Uint8Array | null, opts: { settings?: SendOptions; resume?: SendJournal }) {
  const onOffline = () => set({ notice: 'You are offline. The upload continues by itself when the connection is back.' });
  const onOnline = () => set({ notice: 'Back online: continuing the upload.' });
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  try {
    const s = opts.settings;
    const result = await sendFiles<Blob>({
      client: api,
      files: files.map((f) => ({ name: f.name, size: f.file.size, type: f.file.type, lastModified: f.file.lastModified ?? null })),
      password,
      passwordKey,
      settings: s ? { expiresIn: s.expiresIn, maxDownloads: s.maxDownloads, note: s.note, uploadToken: s.uploadToken, request: s.request, rules: s.rules } : undefined,
      recipients: s?.recipients ?? journalRecipients(opts.resume),
      resume: opts.resume,
      app: s
        ? { remember: s.remember, ...(s.recipients?.length ? { recipients: s.recipients.map((r) => r.text) } : {}), ...(s.notifyUrl ? { notifyUrl: s.notifyUrl } : {}) }
        : undefined,
      parts: {
        async make(req) {
          const { body, sha256 } = await run.crypto.makePart(req.file, files[req.file].file, req.inputKey, req.context, req.salt, req.start, req.end);
          return { body, sha256, length: body.size };
        },
        done: async (i) => run.crypto.partsDone(i, files[i].file),
      },
      sendPart,
      hasher: { hash: async (i, onBytes) => ({ sha256: await run.crypto.fileSha256(i, files[i].file, onBytes) }) },
      kdf: (pw, salt) => run.crypto.derivePasswordKey(pw, salt),
      journal: {
        save: async (j) => {
          run.journal = j as SendJournal;
          lastInputs = { files, password, passwordKey, journal: j as SendJournal };
          await journalStore.save(j);
        },
        remove: (j) => journalStore.remove(j),
      },
      concurrency: PARTS_IN_FLIGHT,
      // A person is watching: an outage is waited out until it ends, a real refusal or Cancel.
      retry: UNTIL_CANCELLED,
      connectivity,
      wakeup: run.wakeup,
      signal: run.signal,
      onEvent: run.onEvent,
    });
    const journal = result.journal as SendJournal;
    const remember = (journal.app?.remember ?? journal.remember) === true;
    const secretUrl = `${location.origin}/s/${result.id}#${result.secret}`;
    const sealedTo = sealedFingerprints(journal);
    // A sealed share's link holds no secret; the secret link stays available to copy on purpose.
    const url = sealedTo.length ? `${location.origin}/s/${result.id}` : secretUrl;
    saveMyLink({
      id: result.id,
      ownerToken: result.ownerToken,
      createdAt: journal.createdAt,
      expiresAt: result.expiresAt,
      maxDownloads: journal.maxDownloads,
      files: files.length,
      hasPassword: !!journal.passwordSalt,
      ...(remember ? { url: secretUrl } : {}),
    });
    // Kept in the journal, so a resumed upload still asks for the receipts.
    const notifyUrl = typeof journal.app?.notifyUrl === 'string' ? journal.app.notifyUrl : null;
    const receipt = notifyUrl ? await requestReceipts(result.id, result.ownerToken, notifyUrl) : undefined;
    const seconds = (performance.now() - run.started) / 1000;
    const total = files.reduce((n, f) => n + ciphertextSize(f.file.size), 0);
    const done: SendResult = {
      id: result.id,
      ownerToken: result.ownerToken,
      url,
      expiresAt: result.expiresAt,
      expiresIn: journal.expiresIn,
      maxDownloads: journal.maxDownloads,
      hasPassword: !!journal.passwordSalt,
      files: result.files,
      averageSpeed: seconds > 0 ? result.sentBytes / seconds : 0,
      seconds,
      ...(sealedTo.length ? { sealedTo, secretUrl } : {}),
      ...(receipt ? { receipt } : {}),
    };
    if (current !== run) return;
    run.crypto.terminate();
    run.releaseLock();
    current = null;
    lastInputs = null;
    set({ phase: 'done', result: done, notice: null, waiting: null, sent: total, total, speed: 0, eta: 0 });
  } catch (e) {
    await fail(run, e);
  } finally {
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
  }
}

// ------------------------------------------------------------------ entry points

/** Encrypts and uploads `files` as a new share. Never throws: the outcome is in the store. */
export async function startSend(files: SendFileInput[], opts: SendOptions): Promise<void> {
  if (current) throw new Error('An upload is already running.');
  const run = (current = new Run(files));
  lastInputs = null;
  useUploadStore.setState({ ...initialUploadState, phase: 'preparing', files: files.map(waitingFile), total: 0 });
  await transfer(run, files, opts.password, null, { settings: opts });
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
  const matched = matchJournalFiles(journal, input.files);
  const files = matched.files.map((f, i) => f ?? { name: journal.names[i], file: new File([], journal.names[i]) });
  const run = (current = new Run(files));
  useUploadStore.setState({
    ...initialUploadState,
    phase: 'preparing',
    resumed: true,
    files: journal.names.map((name, i) => ({ name, size: journal.sizes[i], sent: 0, total: ciphertextSize(journal.sizes[i]), status: 'waiting' })),
  });
  if (matched.missing.length) return fail(run, new SendError(`Select the same files again. Missing: ${matched.missing.join(', ')}`, 'input'));
  if (journal.passwordSalt && !input.passwordKey && !input.password) return fail(run, new SendError('This upload has a password: enter it again to resume.', 'password'));
  run.releaseLock = holdUploadLock(journal.id);
  lastInputs = { files, password: input.password || null, passwordKey: input.passwordKey ?? null, journal };
  await transfer(run, files, input.password || null, input.passwordKey ?? null, { resume: journal });
}

/** "Retry now" while the upload waits out a failure: the next attempts start at once. */
export function retryNow(): void {
  if (!current) return;
  const w = useUploadStore.getState().waiting;
  if (w) set({ waiting: { ...w, until: Date.now() } });
  current.wakeup.wake();
}

/** "Try again" after an error, with the files still in memory. */
export async function retrySend(): Promise<void> {
  if (!lastInputs) throw new Error('Nothing to retry.');
  const { journal, files, password, passwordKey } = lastInputs;
  await resumeSend({ journal, files, passwordKey, password: password ?? undefined });
}

/** Stops the upload, revokes the half-made share and forgets its journal. */
export async function cancelSend(): Promise<void> {
  const run = current;
  const journal = run?.journal ?? lastInputs?.journal ?? null;
  if (run) {
    run.controller.abort();
    run.crypto.terminate();
    run.releaseLock();
    current = null;
  }
  lastInputs = null;
  useUploadStore.setState({ ...initialUploadState });
  if (journal) await discardJournal(journal);
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

function waitingFile(f: SendFileInput): FileProgress {
  return { name: f.name, size: f.file.size, sent: 0, total: ciphertextSize(f.file.size), status: 'waiting' };
}

/** The engine's typed failures in this page's words; some also end the interrupted share. */
async function explain(e: unknown, journal: SendJournal | null): Promise<SendError | unknown> {
  if (e instanceof PlanError) return new SendError(e.problems.map(wordProblem).join('\n'), 'input');
  if (!(e instanceof TransferError)) return e;
  switch (e.reason) {
    case 'wrong_password':
      return new SendError('That is not the password this upload was started with.', 'password');
    case 'password_required':
      return new SendError('This upload has a password: enter it again to resume.', 'password');
    case 'upload_gone':
      if (journal) await deleteJournal(journal.id).catch(() => {});
      return new SendError('The server no longer holds this upload (it was cancelled, expired or swept). Send the files again.', 'gone');
    case 'changed_size': {
      // The share declared each file's size at create: it cannot take another one.
      if (journal) await discardJournal(journal);
      const i = lastInputs?.files.findIndex((f, k) => f.file.size !== journal?.sizes[k]) ?? -1;
      const name = journal && i >= 0 ? journal.names[i] : 'A file';
      return new SendError(`"${name}" changed size since the upload began, so the interrupted share cannot take it. It was cancelled; send the files again.`, 'changed_size');
    }
    case 'file_changed':
      return new SourceChangedError(0);
    default:
      return new SendError(e.message, e.kind === 'gone' ? 'gone' : 'input');
  }
}

async function fail(run: Run, e: unknown): Promise<void> {
  if (current !== run) return; // cancelled: the store was already reset
  run.controller.abort();
  run.crypto.terminate();
  run.releaseLock();
  current = null;
  if (isAbort(e)) return;
  console.error(e);
  const err = await explain(e, run.journal ?? lastInputs?.journal ?? null);
  useUploadStore.setState({
    phase: 'error',
    notice: null,
    waiting: null,
    error: describe(err),
    canResume: !!run.journal && !!lastInputs && !(err instanceof SendError && err.kind !== 'server'),
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
