// One upload of this tab: its cancel signal, crypto workers and lock, and the
// engine's events as useUploadStore state (progress from the engine's
// SendProgress, at most ~6 store updates a second).
import { ApiError } from '@sealdrop/shared';
import { createWakeup, SendProgress, type TransferEvent } from '@sealdrop/transfer';
import { holdUploadLock, type SendJournal } from './journal.ts';
import type { SendFileInput } from './sendInput.ts';
import { createUploadCrypto, type UploadCrypto } from './uploadCrypto.ts';
import { initialUploadState, useUploadStore, type FileProgress } from './uploadStore.ts';

export function set(partial: Partial<typeof initialUploadState>) {
  useUploadStore.setState(partial);
}

export class Run {
  readonly controller = new AbortController();
  /** "Retry now": ends the engine's waits between attempts. */
  readonly wakeup = createWakeup();
  readonly crypto: UploadCrypto = createUploadCrypto();
  /** Releases this tab's "sending" lock on the share (see journal.ts). */
  releaseLock: () => void = () => {};
  journal: SendJournal | null = null;
  readonly progress: SendProgress;
  readonly started = performance.now();
  /** False once the run ended or was cancelled: its late events no longer reach the store. */
  active = true;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly files: SendFileInput[]) {
    this.progress = new SendProgress(files.map((f) => f.file.size));
  }

  get signal() {
    return this.controller.signal;
  }

  /** Ends the run: stops its workers and releases its lock (`abort`: also stops the engine). */
  end(abort: boolean) {
    if (abort) this.controller.abort();
    this.crypto.terminate();
    this.releaseLock();
    this.active = false;
  }

  /** Progress to the store, at most ~6 times a second. */
  #show(now = false) {
    if (now) return this.#flush();
    if (this.#flushTimer === null) this.#flushTimer = setTimeout(() => this.#flush(), 160);
  }

  #flush() {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (!this.active) return;
    const files: FileProgress[] = this.progress.files().map((p, i) => {
      const f = this.files[i];
      return { name: f.name, size: f.file.size, sent: p.sent, total: p.total, status: p.allSent ? (p.sha256 ? 'done' : 'hashing') : p.sent > 0 ? 'sending' : 'waiting', sha256: p.sha256 };
    });
    const { speed, eta } = this.progress.rate(performance.now());
    set({ files, sent: this.progress.sent, total: this.progress.total, speed, eta });
  }

  /** The engine's events, as store state. */
  onEvent = (e: TransferEvent) => {
    this.progress.onEvent(e);
    switch (e.type) {
      case 'phase':
        if (e.phase === 'checking' || e.phase === 'uploading' || e.phase === 'finalizing') set({ phase: e.phase, ...(e.phase === 'finalizing' ? { notice: null, waiting: null } : {}) });
        this.#show(true);
        break;
      case 'created':
        this.releaseLock = holdUploadLock(e.id);
        break;
      case 'part-done':
        if (!e.resumed && (useUploadStore.getState().notice || useUploadStore.getState().waiting)) set({ notice: null, waiting: null });
        this.#show();
        break;
      case 'file-restarted':
      case 'part-progress':
      case 'file-hashed':
        this.#show();
        break;
      case 'retry': {
        // The engine waits this out however long the outage lasts (UNTIL_CANCELLED); the page shows when it tries next.
        let reason = e.offline ? 'you are offline' : 'the server did not answer';
        if (e.part !== undefined) {
          const network = e.offline || (e.error instanceof ApiError && e.error.code === 'network') || e.error instanceof TypeError;
          reason = `sending part ${e.part + 1} of "${this.files[e.file!].name}" failed (${network ? 'the connection dropped' : 'the server was busy'})`;
        }
        set({ notice: null, waiting: { until: Date.now() + e.delayMs, reason } });
        this.#show();
        break;
      }
      default:
        break;
    }
  };
}
