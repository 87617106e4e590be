// The error codes of DESIGN.md "HTTP API" and the status each one is sent with.

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  expired: 410,
  revoked: 410,
  exhausted: 410,
  too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  rate_limited: 429,
  // Partner access and place rules (partner.ts).
  partner_token_required: 401,
  partner_token_refused: 403,
  place_refused: 403,
  policy_refused: 403,
  internal: 500,
  unavailable: 503,
  /** The server is frozen (incident or maintenance): no new shares or grants. */
  frozen: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorBody {
  /** `advisory`: the note an admin or the owner left on a revoked share (plain text). */
  error: { code: ErrorCode; message: string; advisory?: string };
}

/** An error answer from the server, as clients see it. `retryAfter` is in seconds. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly retryAfter?: number,
    /** Plain text from the server (revoked share advisory); never render as HTML. */
    readonly advisory?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
