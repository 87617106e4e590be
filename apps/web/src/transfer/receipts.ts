// Owner receipts: registers the URL the sender gave (on the send page's options
// or on the done screen) for the share's events, through the notify call. One
// path for both places; the outcome is what the done screen shows.
import type { NotifyResponse } from '@sealdrop/shared';
import { api } from '../app/api.ts';

/** What asking for receipts gave: the secret (shown once), or why it failed (the URL kept to correct it). */
export type ReceiptOutcome = { ok: true; response: NotifyResponse } | { ok: false; url: string; error: string };

/** A problem with the URL before anything is sent, or null. The server checks it again (https, public host). */
export function checkNotifyUrl(url: string): string | null {
  if (!url.trim()) return 'Give the URL to notify (https://…).';
  try {
    const u = new URL(url.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : 'The URL to notify must start with https://.';
  } catch {
    return 'The URL to notify is not a valid URL (https://…).';
  }
}

/** Asks the server to post this share's events to `url`. Never throws. */
export async function requestReceipts(id: string, ownerToken: string, url: string): Promise<ReceiptOutcome> {
  const problem = checkNotifyUrl(url);
  if (problem) return { ok: false, url, error: problem };
  try {
    return { ok: true, response: await api.notify(id, ownerToken, url.trim()) };
  } catch (err) {
    return { ok: false, url, error: err instanceof Error ? err.message : String(err) };
  }
}
