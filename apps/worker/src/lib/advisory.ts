// Advisories and freeze reasons: short notes from an admin or owner that
// recipients and senders read. Stored as plain text (clients render them as
// text, never HTML): one line, no controls or bidi tricks, no link secrets, capped.
import { MAX_ADVISORY_CHARS } from '@sealdrop/shared';
import { Fail } from './errors.ts';
import { clean, redactSecrets, stripControl } from './text.ts';

/** The note as stored, or a 400 when nothing visible is left. */
export function cleanNote(s: string, field: string, max = MAX_ADVISORY_CHARS): string {
  const oneLine = stripControl(s.normalize('NFC').replace(/\s+/g, ' ')).trim();
  const t = clean(redactSecrets(oneLine), max)!.trim();
  if (!t) throw new Fail('bad_request', `${field}: must have visible characters`);
  return t;
}
