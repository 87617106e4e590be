// One error classification for every transfer step, in the browser and the CLI.
// Each app words the classes its own way; the engine only decides what is worth
// retrying (transient) and what ends a transfer at once (everything else).

import { CobblestoneError, LinkError, ManifestError, SourceChangedError } from '@sealdrop/crypto';
import { ApiError } from '@sealdrop/shared/errors';

export type ErrorClass =
  /** The connection failed, the server was busy or broke (network, 408, 429, 5xx): try again. */
  | 'transient'
  /** The share or upload is no longer there (404, 410: not found, expired, revoked, exhausted). */
  | 'gone'
  /** A token or a grant was refused (401): a damaged link, a dead grant, a wrong upload token. */
  | 'unauthorized'
  /** The password was wrong (403). */
  | 'forbidden'
  /** Bytes that do not authenticate, a manifest that does not open, a digest that differs, a damaged link key. */
  | 'integrity'
  /** A real refusal of what was asked (400, 409, 413, ...), or a local problem (a file changed, a bad argument). */
  | 'input';

/** A failure the engine itself raises, already classified. `reason` is a stable code an app can word. */
export class TransferError extends Error {
  override name = 'TransferError';
  constructor(
    readonly kind: ErrorClass,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Marks an error worth retrying that is not an HTTP answer (a body cut short, a stalled request). */
export class TransientError extends Error {
  override name = 'TransientError';
}

export function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError' || (e as Error)?.name === 'TimeoutError';
}

const NODE_NET_CODES = /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR_.*)$/;

export function classify(e: unknown): ErrorClass {
  if (e instanceof TransferError) return e.kind;
  if (e instanceof ApiError) {
    if (e.code === 'network' || e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500) return 'transient';
    if (e.status === 404 || e.status === 410) return 'gone';
    if (e.status === 401) return 'unauthorized';
    if (e.status === 403) return 'forbidden';
    return 'input';
  }
  if (e instanceof CobblestoneError || e instanceof ManifestError || e instanceof LinkError) return 'integrity';
  if (e instanceof SourceChangedError) return 'input';
  if (e instanceof TransientError) return 'transient';
  // fetch()'s own network failure, and stream errors of a body cut mid-way.
  const err = e as { name?: string; code?: unknown; cause?: { code?: unknown } } | null;
  if (err?.name === 'TypeError') return 'transient';
  const code = err?.code ?? err?.cause?.code;
  if (typeof code === 'string' && NODE_NET_CODES.test(code)) return 'transient';
  return 'input';
}

export const isTransient = (e: unknown): boolean => !isAbort(e) && classify(e) === 'transient';
