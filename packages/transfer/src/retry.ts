// The one retry policy of both apps: exponential back-off with "equal jitter",
// capped near 10 s so that a person waits at most that long once the server is
// back; Retry-After is honoured. While the environment says it is offline (the
// browser), waiting does not use up attempts, and the wait ends at once when it
// comes back online.

import { ApiError } from '@sealdrop/shared/errors';
import { classify, isAbort, isTransient, type ErrorClass } from './errors.ts';

export interface RetryPolicy {
  /** First delay in ms, doubled per attempt. */
  baseMs: number;
  /** Longest wait between two attempts (ms). */
  capMs: number;
  /** Attempts in a row (the first included) before the failure is final. */
  attempts: number;
  /** Longest Retry-After honoured (ms). */
  maxRetryAfterMs: number;
}

export const RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ baseMs: 1000, capMs: 10_000, attempts: 8, maxRetryAfterMs: 15 * 60_000 });

/**
 * For a transfer a person watches (the browser's upload): an outage of any length
 * is waited out at the capped back-off and the transfer continues; only a failure
 * that is not transient, or the person's Cancel (the signal), ends it. A script (the
 * CLI) keeps the attempts of RETRY_POLICY, so it ends and says why.
 */
export const UNTIL_CANCELLED: Readonly<Partial<RetryPolicy>> = Object.freeze({ attempts: Infinity });

/** Ends the waits between attempts at once: a person's "Retry now". */
export interface Wakeup {
  /** Calls `fn` at the next wake-up; returns an unsubscribe. */
  on(fn: () => void): () => void;
}

export function createWakeup(): Wakeup & { wake(): void } {
  const waiting = new Set<() => void>();
  return {
    on(fn) {
      waiting.add(fn);
      return () => waiting.delete(fn);
    },
    wake() {
      for (const fn of [...waiting]) fn();
    },
  };
}

/** The environment's view of the network (in the browser: its onLine flag and `online` event). */
export interface Connectivity {
  online(): boolean;
  /** Calls `fn` once when the environment reports it is online again; returns an unsubscribe. */
  whenOnline(fn: () => void): () => void;
}

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: unknown;
  kind: ErrorClass;
  offline: boolean;
}

export interface RetryContext {
  policy?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  connectivity?: Connectivity;
  wakeup?: Wakeup;
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

export function resolvePolicy(p?: Partial<RetryPolicy>): RetryPolicy {
  return { ...RETRY_POLICY, ...p };
}

/** Delay before retry `attempt` (1-based): base·2^(attempt-1), capped, equal jitter; at least Retry-After. */
export function retryDelay(attempt: number, error: unknown, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  const after = error instanceof ApiError && error.retryAfter ? Math.min(error.retryAfter * 1000, policy.maxRetryAfterMs) : 0;
  return Math.max(jittered, after);
}

/**
 * Create must never be repeated under the same keys when its answer may have
 * been lost (the share may exist, and the keys cannot register twice). Only an
 * answer that says nothing was made is retried: 429 and 503.
 */
export function createMayBeRetried(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 429 || e.status === 503);
}

/** Waits `ms` before a retry: at once when aborted (rejects), when the environment comes back online, or when woken ("Retry now"). */
export function waitToRetry(ms: number, signal: AbortSignal | undefined, connectivity: Connectivity | undefined, wakeup?: Wakeup): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let unsubscribe = () => {};
    let unwake = () => {};
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      unwake();
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      unsubscribe();
      unwake();
      reject(signal!.reason);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (connectivity) unsubscribe = connectivity.whenOnline(done);
    if (wakeup) unwake = wakeup.on(done);
  });
}

/** Runs `fn` until it succeeds, fails with an error `retryIf` refuses, or the policy's attempts (maybe Infinity) are used up. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, ctx: RetryContext = {}, retryIf: (e: unknown) => boolean = isTransient): Promise<T> {
  const policy = resolvePolicy(ctx.policy);
  let failures = 0;
  for (let attempt = 1; ; attempt++) {
    ctx.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (e) {
      if (isAbort(e) || ctx.signal?.aborted || !retryIf(e)) throw e;
      const offline = ctx.connectivity ? !ctx.connectivity.online() : false;
      // Offline, nothing can succeed: keep waiting for the network without using up attempts.
      if (!offline && ++failures >= policy.attempts) throw e;
      const delayMs = retryDelay(offline ? Math.max(1, failures) : failures, e, policy, ctx.random);
      ctx.onRetry?.({ attempt, delayMs, error: e, kind: classify(e), offline });
      await waitToRetry(delayMs, ctx.signal, ctx.connectivity, ctx.wakeup);
    }
  }
}
