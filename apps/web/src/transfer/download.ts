// Page side of a download: picks how the decrypted bytes reach the disk and
// runs the job there. Decryption never runs on the page's main thread.
//
//  - 'sw'   the /dl/ service worker streams the plaintext as a normal browser
//           download (flat memory, any size). The default wherever it registers.
//  - 'fsa'  File System Access API: a Web Worker decrypts into the file the user
//           picked (flat memory). Needs the click's user gesture for the picker.
//  - 'blob' a Web Worker decrypts into an in-memory Blob, then the page saves it:
//           only for small downloads (< 256 MiB); the UI warns before a larger one.
//
// `?via=sw|fsa|blob` on the page's URL forces one method (tests and support).

import { b64uEncode } from '@sealdrop/crypto';
import type { DownloadEvent, DownloadFailure, DownloadJob, SwGrantMessage, SwJobMessage, WorkerJobMessage } from './downloadTypes.ts';
import { saveBlob } from '../ui/clipboard.ts';
import { prepareServiceWorker } from './swRegister.ts';

export type DownloadMethod = 'sw' | 'fsa' | 'blob';

/** Above this, an in-memory Blob is a risk to the tab: warn first. */
export const BLOB_LIMIT_BYTES = 256 * 1024 * 1024;

export class DownloadRunError extends Error {
  override name = 'DownloadRunError';
  constructor(readonly failure: DownloadFailure) {
    super(failure.message);
  }
}

/** Thrown when a method cannot start at all (nothing was fetched; another method may be tried). */
export class MethodUnavailableError extends Error {
  override name = 'MethodUnavailableError';
}

type ShowSaveFilePicker = (opts: { suggestedName?: string }) => Promise<FileSystemFileHandle>;

function forcedMethod(): DownloadMethod | null {
  const via = new URLSearchParams(location.search).get('via');
  return via === 'sw' || via === 'fsa' || via === 'blob' ? via : null;
}

export function hasFileSystemAccess(): boolean {
  return typeof (window as unknown as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function';
}

// ---------------------------------------------------------------- service worker

function randomToken(): string {
  return b64uEncode(crypto.getRandomValues(new Uint8Array(18)));
}

/**
 * One /dl/ navigation at a time: a second navigation before the browser has
 * turned the first into a download would cancel it. Released once bytes flow
 * (or the job ends), at the latest a few seconds after the grant was handed over.
 */
let navigationLock: Promise<void> = Promise.resolve();

/**
 * Runs a job through the service worker; resolves when the browser has the
 * whole, verified file. The /dl/ navigation starts while `grant` (the download
 * being taken) is on its way; the worker answers it once the grant follows.
 * If `grant` rejects, nothing is downloaded and this rejects with its error.
 */
async function runInServiceWorker(job: DownloadJob, grant: Promise<string>, onEvent: (ev: DownloadEvent) => void, signal: AbortSignal): Promise<void> {
  const worker = await prepareServiceWorker();
  if (!worker) throw new MethodUnavailableError('The download helper (service worker) is not available in this browser.');
  const token = randomToken();
  const channel = new MessageChannel();
  const toWorker = (m: SwGrantMessage) => channel.port1.postMessage(m);
  const previous = navigationLock;
  let release!: () => void;
  navigationLock = new Promise<void>((r) => (release = r));
  await previous;
  let state: 'handing' | 'accepted' | 'started' | 'over' = 'handing';
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      if (state === 'over') return;
      state = 'over';
      release();
      clearInterval(keepAlive);
      clearTimeout(timer);
      channel.port1.close();
      if (err) reject(err);
      else resolve();
    };
    // If the worker does not take the job, or the browser never asks it for the
    // file, nothing was fetched: report the method as unavailable.
    let timer = setTimeout(() => finish(new MethodUnavailableError('The download helper did not answer.')), 5_000);
    signal.addEventListener('abort', () => {
      toWorker({ type: 'cancel' });
      finish(new DownloadRunError({ kind: 'canceled', message: 'The download was canceled.' }));
    });
    channel.port1.onmessage = (e: MessageEvent<DownloadEvent>) => {
      const ev = e.data;
      if (ev.type === 'accepted' && state === 'handing') {
        state = 'accepted';
        clearTimeout(timer);
        // A navigation answered with an attachment becomes a download; the page stays
        // (and stays too on the 204 the worker answers when no grant comes).
        location.assign(`/dl/${token}`);
        grant.then(
          (g) => {
            if (state === 'over') return;
            toWorker({ type: 'grant', grant: g });
            setTimeout(release, 5_000);
            timer = setTimeout(() => finish(new MethodUnavailableError('The browser did not start the download.')), 10_000);
          },
          (err: unknown) => {
            toWorker({ type: 'no-grant' });
            finish(err instanceof Error ? err : new Error(String(err)));
          },
        );
        return;
      }
      if (ev.type === 'started') {
        state = 'started';
        clearTimeout(timer);
        // Messages to the worker keep it alive while the browser pulls the stream.
        keepAlive = setInterval(() => worker.postMessage({ type: 'ping' }), 10_000);
      }
      if (ev.type === 'progress' || ev.type === 'file-done') release();
      onEvent(ev);
      if (ev.type === 'done') finish();
      else if (ev.type === 'error') finish(new DownloadRunError(ev.error));
    };
    const msg: SwJobMessage = { type: 'job', v: 2, token, job: { ...job, grant: '' } };
    worker.postMessage(msg, [channel.port2]);
  });
}

// ---------------------------------------------------------------- web worker (FSA, Blob)

function runInWorker(job: DownloadJob, handle: FileSystemFileHandle | undefined, onEvent: (ev: DownloadEvent) => void, signal: AbortSignal): Promise<Blob | undefined> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./download.worker.ts', import.meta.url), { type: 'module', name: 'sealdrop-download' });
    } catch {
      reject(new MethodUnavailableError('This browser cannot run the decryption worker.'));
      return;
    }
    const end = () => worker.terminate();
    signal.addEventListener('abort', () => {
      worker.postMessage({ type: 'cancel' });
      setTimeout(end, 1000);
      reject(new DownloadRunError({ kind: 'canceled', message: 'The download was canceled.' }));
    });
    worker.onerror = (e) => {
      end();
      reject(new DownloadRunError({ kind: 'other', message: `The decryption worker failed: ${e.message}` }));
    };
    worker.onmessage = (e: MessageEvent<DownloadEvent>) => {
      const ev = e.data;
      onEvent(ev);
      if (ev.type === 'done') {
        end();
        resolve(ev.blob);
      } else if (ev.type === 'error') {
        end();
        reject(new DownloadRunError(ev.error));
      }
    };
    const msg: WorkerJobMessage = { type: 'job', job, handle };
    worker.postMessage(msg);
  });
}

// ---------------------------------------------------------------- choosing and running

export interface DownloadPlan {
  method: DownloadMethod;
  /** For 'fsa': the file the user picked (asked for during the click). */
  handle?: FileSystemFileHandle;
}

/**
 * Decides how to save, during the click (the save picker needs the user gesture).
 * Returns null when the user closed the save picker.
 */
export async function planDownload(suggestedName: string): Promise<DownloadPlan | null> {
  const forced = forcedMethod();
  let method: DownloadMethod;
  if (forced) method = forced;
  else if (await prepareServiceWorker()) method = 'sw';
  else if (hasFileSystemAccess()) method = 'fsa';
  else method = 'blob';
  if (method !== 'fsa') return { method };
  if (!hasFileSystemAccess()) return { method: 'blob' };
  try {
    const pick = (window as unknown as { showSaveFilePicker: ShowSaveFilePicker }).showSaveFilePicker;
    return { method, handle: await pick({ suggestedName }) };
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') return null;
    return { method: 'blob' };
  }
}

/** Whether the plan's method can take `bytes` without a warning (only the Blob fallback is limited). */
export function needsSizeWarning(plan: DownloadPlan, bytes: number): boolean {
  return plan.method === 'blob' && bytes >= BLOB_LIMIT_BYTES;
}

/**
 * Runs a job with the planned method, with the grant `grant` resolves to (the
 * service worker starts before it has come). If the service worker cannot start
 * it, falls back to the Blob path when the download is small enough. Rejects
 * with a DownloadRunError carrying what went wrong, or with `grant`'s error.
 */
export async function runDownload(job: DownloadJob, grant: Promise<string>, plan: DownloadPlan, saveAs: string, bytes: number, onEvent: (ev: DownloadEvent) => void, signal: AbortSignal): Promise<DownloadMethod> {
  if (plan.method === 'sw') {
    try {
      await runInServiceWorker(job, grant, onEvent, signal);
      return 'sw';
    } catch (e) {
      if (!(e instanceof MethodUnavailableError) || forcedMethod() === 'sw' || bytes >= BLOB_LIMIT_BYTES) {
        if (e instanceof MethodUnavailableError) throw new DownloadRunError({ kind: 'other', message: `${e.message} Try another browser, or reload the page.` });
        throw e;
      }
      plan = { method: 'blob' };
    }
  }
  try {
    const blob = await runInWorker({ ...job, grant: await grant }, plan.handle, onEvent, signal);
    if (plan.method === 'blob') {
      if (!blob) throw new DownloadRunError({ kind: 'other', message: 'The decryption worker returned nothing.' });
      saveBlob(blob, saveAs);
    }
    return plan.method;
  } catch (e) {
    if (e instanceof MethodUnavailableError) throw new DownloadRunError({ kind: 'other', message: e.message });
    throw e;
  }
}
