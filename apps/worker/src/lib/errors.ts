// Every error answer is `{"error": {"code", "message"}}` with the status of ERROR_STATUS.
import { ERROR_STATUS, type ErrorCode } from '@sealdrop/shared';

export class Fail extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds, sent as Retry-After (429, 503). */
    readonly retryAfter?: number,
    /** Extra headers, e.g. Content-Range on a 416. */
    readonly headers?: Record<string, string>,
    /** Plain text for the recipient (a revoked share's advisory), sent as error.advisory. */
    readonly advisory?: string,
  ) {
    super(message);
    this.name = 'Fail';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function errorResponse(
  code: ErrorCode,
  message: string,
  retryAfter?: number,
  headers?: Record<string, string>,
  advisory?: string,
): Response {
  const h = new Headers({ 'Content-Type': 'application/json; charset=utf-8' });
  if (retryAfter !== undefined) h.set('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
  for (const [k, v] of Object.entries(headers ?? {})) h.set(k, v);
  const error = advisory ? { code, message, advisory } : { code, message };
  return new Response(JSON.stringify({ error }), { status: ERROR_STATUS[code], headers: h });
}
