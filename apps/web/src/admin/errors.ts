// What to tell a person when an API call fails. Messages are plain text.
import { ApiError } from '@sealdrop/shared';

/** True when the server rejected the credentials (admin token, owner token). */
export function isAuthError(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || err.status === 403);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'network':
        return 'Cannot reach the server. Check your connection and try again.';
      case 'unavailable':
        return 'The server is unavailable right now (503).';
      case 'rate_limited':
        return err.retryAfter ? `Too many requests. Try again in ${err.retryAfter} s.` : 'Too many requests. Try again shortly.';
      case 'unauthorized':
      case 'forbidden':
        return 'The server did not accept the credentials for this action.';
      case 'not_found':
        return 'Not found on the server.';
      case 'revoked':
        return 'This share was revoked.';
      case 'expired':
        return 'This share has expired.';
      case 'exhausted':
        return 'This share has no downloads left.';
      default:
        return err.message || `The server answered ${err.status}.`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
