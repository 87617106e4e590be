// Plain-words formatting for durations and share options (sizes and speeds:
// formatBytes and formatSpeed of @sealdrop/shared).

/** 3725 -> "1 h 2 min"; 42 -> "42 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60 ? `${m % 60} min` : ''}`.trim();
}

/** Expiry choices in seconds, with their label. */
export const EXPIRY_CHOICES: { seconds: number; label: string }[] = [
  { seconds: 5 * 60, label: '5 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 24 * 3600, label: '1 day' },
  { seconds: 7 * 24 * 3600, label: '7 days' },
];

export const DOWNLOAD_CHOICES = [1, 2, 5, 10, 100];

export function expiryLabel(seconds: number): string {
  const known = EXPIRY_CHOICES.find((c) => c.seconds === seconds);
  if (known) return known.label;
  if (seconds % 86400 === 0) return `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  return `${Math.round(seconds / 60)} minutes`;
}

export function downloadsLabel(n: number): string {
  return n === 1 ? 'one download' : `up to ${n} downloads`;
}

let dateFormat: Intl.DateTimeFormat | null = null;

/**
 * Makes formatDate's formatter now: Chromium's first one with these fields
 * loads its locale's patterns, ~16 ms, which the page does while the sender
 * picks files instead of between "Send" and the link (issue 11).
 */
export function warmDateFormat(): Intl.DateTimeFormat {
  dateFormat ??= new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
  return dateFormat;
}

/** "Tuesday, 3 March at 14:05" in the reader's locale. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return warmDateFormat().format(d);
}

/**
 * What a download limit really means: a download is counted at the first click,
 * and its grant lets that recipient's page resume or repeat it for 6 hours
 * (never past the expiry). A one-time link is not gone after the first byte.
 */
export function downloadsExplained(n: number): string {
  const what = n === 1 ? 'The one download' : 'Each download';
  return `${what} is counted when the recipient first clicks Download; for the next 6 hours (never past the expiry) the same recipient can resume or repeat it without using another.`;
}
