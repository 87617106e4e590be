// Retries with exponential back-off for part uploads and the other sender calls.
// What is worth retrying: a failed connection (status 0, code 'network'), any 5xx,
// and 429 (honouring Retry-After). Everything else (400, 401, 404, 409, 410, 413)
// is a real answer and is thrown at once. While the browser says it is offline we
// keep trying, without limit, and retry at once when the `online` event fires.
import { ApiError } from '@sealdrop/shared';

export interface RetryOptions {
  signal: AbortSignal;
  /** Attempts after a 5xx or 429 before giving up (network errors retry without limit). */
  maxServerRetries?: number;
  /** False for requests that must not be repeated blindly (create): a lost connection is thrown. */
  retryNetwork?: boolean;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told before each wait, for the UI ("connection lost, retrying in 4 s"). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown; offline: boolean }) => void;
}

export function isRetryable(e: unknown): boolean {
  if (!(e instanceof ApiError)) return e instanceof TypeError; // fetch's own network failure
  return e.code === 'network' || e.status === 429 || e.status >= 500;
}

export function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

export function backoffDelay(attempt: number, base = 1000, max = 30_000, random = Math.random): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter"
}

export async function retrying<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const { signal, maxServerRetries = 6, baseDelayMs = 1000, maxDelayMs = 30_000 } = opts;
  let serverFailures = 0;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (e) {
      if (signal.aborted || isAbort(e) || !isRetryable(e)) throw e;
      const network = !(e instanceof ApiError) || e.code === 'network';
      if (network && opts.retryNetwork === false) throw e;
      if (!network && ++serverFailures > maxServerRetries) throw e;
      let delayMs = backoffDelay(attempt, baseDelayMs, maxDelayMs);
      if (e instanceof ApiError && e.retryAfter) delayMs = Math.max(delayMs, e.retryAfter * 1000);
      const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
      opts.onRetry?.({ attempt, delayMs, error: e, offline });
      await wait(delayMs, signal, network);
    }
  }
}

/** Sleeps `ms`, or less when the browser comes back online (for network failures). */
function wait(ms: number, signal: AbortSignal, wakeOnOnline: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (wakeOnOnline) window.removeEventListener('online', done);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      if (wakeOnOnline) window.removeEventListener('online', done);
      reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    if (wakeOnOnline) window.addEventListener('online', done, { once: true });
  });
}
