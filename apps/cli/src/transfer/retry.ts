// The CLI's receive side on the one retry policy and error classification of
// @sealdrop/transfer (the send side runs on the engine itself). Tests may lower
// the base delay with SEALDROP_RETRY_BASE_MS.

import { isTransient, RETRY_POLICY, retryDelay, withRetry as engineRetry } from '@sealdrop/transfer';

export { isTransient, TransientError } from '@sealdrop/transfer';

export interface RetryOptions {
  attempts?: number;
  /** Base delay in ms (doubled each time, capped near 10 s). */
  baseMs?: number;
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
  /** Which failures to retry (default: isTransient). */
  retryIf?: (e: unknown) => boolean;
}

const baseMs = () => Number(process.env.SEALDROP_RETRY_BASE_MS) || RETRY_POLICY.baseMs;

/** Delay before retry `attempt + 1` (attempt counts from 0). */
export function backoffMs(attempt: number, base: number, e?: unknown): number {
  return retryDelay(attempt + 1, e, { ...RETRY_POLICY, baseMs: base });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `fn` gets the attempt number from 0. */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  return engineRetry(
    (attempt) => fn(attempt - 1),
    { policy: { baseMs: opts.baseMs ?? baseMs(), ...(opts.attempts ? { attempts: opts.attempts } : {}) }, onRetry: (i) => opts.onRetry?.(i.error, i.attempt, i.delayMs) },
    opts.retryIf ?? isTransient,
  );
}
