// What the recipient reads when something is not as expected: one plain message
// per situation, saying what happened and what to do.

export type Unavailable = 'not_found' | 'expired' | 'revoked' | 'exhausted' | 'network' | 'rate_limited' | 'other';

export const UNAVAILABLE: Record<Unavailable, { title: string; body: string }> = {
  not_found: {
    title: 'No files at this link',
    body: 'This link does not lead to any files. It may be mistyped or cut short, or its upload was never finished. Check the link with the sender.',
  },
  expired: {
    title: 'This link has expired',
    body: 'The sender made these files available for a limited time, and that time is over. The files are gone; ask the sender for a new link.',
  },
  revoked: {
    title: 'This link was withdrawn',
    body: 'The sender or an administrator revoked this link, and its files were deleted. Ask the sender if you still need them.',
  },
  exhausted: {
    title: 'No downloads left',
    body: 'This link has been downloaded as many times as the sender allowed. Ask the sender for a new link if you still need the files.',
  },
  network: {
    title: 'Cannot reach Sealdrop',
    body: 'The server did not answer. Check your internet connection, then try again.',
  },
  rate_limited: {
    title: 'Too many attempts',
    body: 'The server is slowing down requests for this link. Wait a moment, then try again.',
  },
  other: {
    title: 'Something went wrong',
    body: 'The server gave an unexpected answer. Try again in a moment.',
  },
};

export const TOKEN_REFUSED =
  'The server refused this partner token: it is mistyped, expired, revoked, or not one that opens this share. Check it with the sender.';

/** Instead of the generic "revoked" text when the sender or an admin left a notice. */
export const ADVISORY_BODY = 'The sender or an administrator withdrew this link and left a notice for you.';

export const MISSING_KEY = {
  title: 'The key is missing from this link',
  body: 'A Sealdrop link ends with # and a 43-character key that never reaches the server. This one has no key, so the files cannot be decrypted. Open the complete link you were sent. (If you reloaded this page: the key is removed from the address bar when the page opens, so it is not kept in your history. Open the original link again.)',
};

export const MALFORMED_KEY_TITLE = 'This link is damaged';

export const DAMAGED_LINK = {
  title: 'This link is damaged',
  body: 'Its key does not match these files, so the server refused it. A character of the link was probably changed or lost when it was copied. Copy the whole link again, everything after the # included.',
};

export const WRONG_PASSWORD = 'Wrong password. Check it with the sender (it is case-sensitive), then try again.';

export const UNSUPPORTED_KDF = {
  title: 'This share uses unsupported password settings',
  body: 'The server asked for password settings other than the ones every Sealdrop v1 sender uses. This app refuses them, so a server cannot weaken or inflate the password protection. Ask the sender to share the files again.',
};

export const BAD_MANIFEST_TITLE = 'The file list cannot be trusted';

export function tryAgainIn(seconds: number): string {
  return seconds <= 1 ? 'Try again in 1 second.' : `Try again in ${seconds} seconds.`;
}
