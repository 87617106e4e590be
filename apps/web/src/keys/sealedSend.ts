// v1.1 on the send side of the web app: the recipients a journal was started
// with (kept as public key texts in its app fields, so a resumed upload seals to
// the same keys) and the fingerprints a finished share is sealed to.
import { parseRecipient, parseRecipientList, type Recipient } from '@sealdrop/crypto';
import type { SendJournal } from '@sealdrop/transfer';

export function journalRecipients(j: SendJournal | undefined): Recipient[] | undefined {
  const texts = j?.app?.recipients;
  return Array.isArray(texts) && texts.length ? texts.map((t) => parseRecipient(t)) : undefined;
}

export function sealedFingerprints(j: SendJournal): string[] {
  const texts = j.app?.recipients;
  return j.recipients?.length && Array.isArray(texts) ? texts.map((t) => parseRecipient(t).fingerprint) : [];
}

/** Public keys pasted or loaded from a key file (one a line, # comments). Throws KeyFormatError naming the line. */
export function recipientsFromText(text: string): Recipient[] {
  return parseRecipientList(text);
}
