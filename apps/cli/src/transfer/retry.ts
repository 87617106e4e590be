// Retries with exponential back-off for transient failures: network errors,
// 5xx, 408 and 429 (honouring Retry-After). Anything else fails at once.

import { ApiError } from '@sealdrop/shared/errors';

export function isTransient(e: unknown): boolean {
  if (e instanceof ApiError) return e.code === 'network' || e.status >= 500 || e.status === 429 || e.status === 408;
  // fetch body errors ("terminated", socket resets) surface as TypeError or plain errors with a cause.
  const err = e as { name?: string; code?: string; cause?: { code?: string } };
  if (err?.name === 'TypeError' || err?.name === 'TransientError') return true;
  const code = err?.code ?? err?.cause?.code;
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_.*|EAI_AGAIN)$/.test(code);
}

/** Marks an error that is worth retrying (a short body, a dropped stream). */
export class TransientError extends Error {
  override name = 'TransientError';
}

export interface RetryOptions {
  attempts?: number;
  /** Base delay in ms (doubled each time, capped at 30 s). Tests may lower it with SEALDROP_RETRY_BASE_MS. */
  baseMs?: number;
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
  /** Which failures to retry (default: isTransient). */
  retryIf?: (e: unknown) => boolean;
}

export function backoffMs(attempt: number, base: number, e?: unknown): number {
  if (e instanceof ApiError && e.retryAfter) return Math.min(e.retryAfter * 1000, 15 * 60_000);
  const exp = Math.min(30_000, base * 2 ** attempt);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const base = opts.baseMs ?? (Number(process.env.SEALDROP_RETRY_BASE_MS) || 1000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt + 1 >= attempts || !(opts.retryIf ?? isTransient)(e)) throw e;
      const delay = backoffMs(attempt, base, e);
      opts.onRetry?.(e, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
