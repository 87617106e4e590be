// The browser's adapter of the send flow of @sealdrop/transfer: the engine runs
// the protocol (keys, salts, digests, create/resume, parts, manifest, finalize);
// this file gives it the browser's ports (the crypto worker pool, XHR parts in
// uploadPart.ts, IndexedDB, the `online` event) and puts the outcome in
// useUploadStore (events: uploadRun.ts, words: uploadWords.ts).
// Components call startSend / resumeSend / cancelSend / resetSend.
import { ciphertextSize } from '@sealdrop/crypto';
import { abandonSend, cannotContinue, isAbort, sendFiles, UNTIL_CANCELLED, type Connectivity } from '@sealdrop/transfer';
import { api } from '../app/api.ts';
import { journalRecipients } from '../keys/sealedSend.ts';
import { holdUploadLock, journalStore, type SendJournal } from './journal.ts';
import { matchJournalFiles } from './journalMatch.ts';
import type { ResumeInput, SendFileInput, SendOptions } from './sendInput.ts';
import { sendPart } from './uploadPart.ts';
import { Run, set } from './uploadRun.ts';
import { finishedShare } from './uploadDone.ts';
import { initialUploadState, useUploadStore } from './uploadStore.ts';
import { describe, explain, SendError } from './uploadWords.ts';

/** Parts in flight at once (DESIGN: 2 to 4). */
export const PARTS_IN_FLIGHT = 3;

/** The browser's network state for the engine's retry policy: retry at once when it is back online. */
const connectivity: Connectivity = {
  online: () => navigator.onLine !== false,
  whenOnline(fn) {
    window.addEventListener('online', fn, { once: true });
    return () => window.removeEventListener('online', fn);
  },
};

let current: Run | null = null;
/** The files, password and journal of the last run, so "Try again" needs no re-selection (kept in memory only). */
let lastInputs: { files: SendFileInput[]; password: string | null; passwordKey: Uint8Array | null; journal: SendJournal } | null = null;

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
      config: s?.config,
      files: files.map((f) => ({ name: f.name, size: f.file.size, type: f.file.type, lastModified: f.file.lastModified ?? null })),
      password,
      passwordKey,
      settings: s ? { expiresIn: s.expiresIn, maxDownloads: s.maxDownloads, note: s.note, uploadToken: s.uploadToken, request: s.request, rules: s.rules } : undefined,
      recipients: s?.recipients ?? journalRecipients(opts.resume),
      resume: opts.resume,
      prepared: run.crypto.preparedKeys,
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
    const done = await finishedShare(result, files.length, run.started);
    const total = run.progress.total;
    if (current !== run) return;
    run.end(false);
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
  useUploadStore.setState({ ...initialUploadState, phase: 'preparing', files: files.map((f) => waitingFile(f.name, f.file.size)), total: 0 });
  await transfer(run, files, opts.password, null, { settings: opts });
}

/** Continues an interrupted upload from its journal. Never throws: the outcome is in the store. */
export async function resumeSend(input: ResumeInput): Promise<void> {
  if (current) throw new Error('An upload is already running.');
  const { journal } = input;
  const matched = matchJournalFiles(journal, input.files);
  const files = matched.files.map((f, i) => f ?? { name: journal.names[i], file: new File([], journal.names[i]) });
  const run = (current = new Run(files));
  useUploadStore.setState({ ...initialUploadState, phase: 'preparing', resumed: true, files: journal.names.map((name, i) => waitingFile(name, journal.sizes[i])) });
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
  run?.end(true);
  current = null;
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
export const discardJournal = (journal: SendJournal): Promise<void> => abandonSend(api, journal, journalStore);

const waitingFile = (name: string, size: number) => ({ name, size, sent: 0, total: ciphertextSize(size), status: 'waiting' as const });

async function fail(run: Run, e: unknown): Promise<void> {
  if (current !== run) return; // cancelled: the store was already reset
  run.end(true);
  current = null;
  if (isAbort(e)) return;
  console.error(e);
  const journal = run.journal ?? lastInputs?.journal ?? null;
  // A share the server no longer holds, or one declared with other sizes, cannot continue: give it up. (A password refusal can: the page asks again.)
  const reason = cannotContinue(e);
  if (journal && (reason === 'upload_gone' || reason === 'changed_size')) await discardJournal(journal);
  const err = explain(e, journal, lastInputs?.files);
  useUploadStore.setState({
    phase: 'error',
    notice: null,
    waiting: null,
    error: describe(err),
    canResume: !!run.journal && !!lastInputs && !(err instanceof SendError && err.kind !== 'server'),
  });
}

/** Exposed for the page: is an upload running in this tab? */
export function isSending(): boolean {
  return current !== null;
}
