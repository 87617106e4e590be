// Sanitising text that outsiders control before it is stored.

// C0 and C1 controls and DEL, plus bidi overrides and zero-width characters
// that could disguise text in the dashboard.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/g;

export function stripControl(s: string): string {
  return s.replace(CONTROL_RE, '');
}

/** Strip control characters, then cap at `max` characters (never splitting a surrogate pair). */
export function clean(s: string | null | undefined, max: number): string | null {
  if (s == null) return null;
  const t = stripControl(s);
  if (t.length <= max) return t;
  let cut = t.slice(0, max);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

/**
 * People paste whole links into report forms; the fragment is the key. The text is
 * normalized first (NFKC, control and invisible format characters gone, `%23` read as
 * '#'), so a key cannot slip through disguised; then anything after a '#' up to
 * whitespace, and any run of 43 or more base64url characters (a link secret, even
 * glued to a word) or 64 hex digits (a secret written as hex), is replaced, so no
 * key reaches D1.
 */
export function redactSecrets(s: string): string {
  return stripControl(s.normalize('NFKC'))
    .replace(/\p{Cf}/gu, '') // every invisible format character (soft hyphen, word joiner...)
    .replace(/%23/gi, '#')
    .replace(/#[^\s]*/g, '#[redacted]')
    .replace(/[0-9a-fA-F]{64,}/g, '[redacted]')
    .replace(/[A-Za-z0-9_-]{43,}/g, '[redacted]');
}
