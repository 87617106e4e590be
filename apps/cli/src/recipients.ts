// v1.1 for the CLI: --to values (a public key, or a file of them one a line),
// --identity / SEALDROP_IDENTITY, request links (/r/<rid>#<fingerprint>), and the
// engine's recipient failures as exit codes. The protocol is @sealdrop/transfer's.

import { readFile } from 'node:fs/promises';
import { isShareId, KeyFormatError, parseFingerprint, parseRecipient, parseRecipientList, RECIPIENT_PREFIX, type Identity, type Recipient } from '@sealdrop/crypto';
import type { SealdropClient } from '@sealdrop/shared';
import { openFileRequest, TransferError, uniqueRecipients, unsealLink } from '@sealdrop/transfer';
import { CliError, EXIT, integrity, toCliError, usage } from './exit.ts';
import { readIdentityFile } from './identity-file.ts';

/** Each --to: a `sealdrop-pq1:` key, or a file holding keys one a line. */
export async function loadRecipients(values: readonly string[]): Promise<Recipient[]> {
  const out: Recipient[] = [];
  for (const v of values) {
    try {
      if (v.startsWith(RECIPIENT_PREFIX)) out.push(parseRecipient(v.trim()));
      else {
        const text = await readFile(v, 'utf8').catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') throw usage(`--to ${v}: neither a public key (sealdrop-pq1:...) nor a file.`);
          throw e;
        });
        const keys = parseRecipientList(text);
        if (keys.length === 0) throw usage(`--to ${v}: the file holds no public key.`);
        out.push(...keys);
      }
    } catch (e) {
      if (e instanceof KeyFormatError) throw usage(`--to ${v.startsWith(RECIPIENT_PREFIX) ? 'KEY' : v}: ${e.message}`);
      throw e;
    }
  }
  return uniqueRecipients(out);
}

/** --identity FILE, else SEALDROP_IDENTITY; null when neither is given. */
export async function loadIdentities(flag: string | undefined): Promise<Identity[] | null> {
  const file = flag ?? process.env.SEALDROP_IDENTITY;
  if (!file) return null;
  const ids = await readIdentityFile(file);
  if (ids.length === 0) throw usage(`${file} holds no identity.`);
  return ids;
}

/** S of a fragment-less link, opened with the identities; reads the share's stanzas only (no download is used). */
export async function unsealWith(client: SealdropClient, id: string, identities: Identity[]): Promise<string> {
  try {
    return (await unsealLink(client, id, identities)).secret;
  } catch (e) {
    throw recipientFailure(e);
  }
}

export interface RequestLink {
  server: string;
  id: string;
  fingerprint: string;
}

/** https://host[/prefix]/r/<rid>#<fingerprint>; `needFingerprint: false` for the owner's commands. */
export function parseRequestLink(text: string, { needFingerprint = true } = {}): RequestLink {
  const bad = 'That is not a request link (expected https://host/r/<id>#<fingerprint>).';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw usage(bad);
  }
  const m = /^(.*)\/r\/([^/]+)\/?$/.exec(url.pathname);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !m) throw usage(bad);
  if (!isShareId(m[2])) throw usage('The request link is damaged: its id is not valid. Copy the whole link again.');
  const fragment = url.hash.slice(1);
  if (needFingerprint) {
    try {
      parseFingerprint(fragment);
    } catch (e) {
      throw integrity(`The request link is damaged: ${(e as Error).message} Copy the whole link again.`);
    }
  }
  return { server: url.origin + m[1].replace(/\/+$/, ''), id: m[2], fingerprint: fragment };
}

/** The request's key, checked against the link (exit 3 on a mismatch), and what is left of it. */
export async function checkedRequest(client: SealdropClient, link: RequestLink) {
  try {
    return await openFileRequest(client, link.id, link.fingerprint);
  } catch (e) {
    throw recipientFailure(e, 'request');
  }
}

/** The engine's recipient failures as exit codes (3: no key opens it, or the key is not the link's). */
export function recipientFailure(e: unknown, what = 'share'): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof TransferError) {
    if (e.reason === 'not_sealed_to_you') return new CliError(EXIT.integrity, `${e.message} Nothing was downloaded. Check --identity (or SEALDROP_IDENTITY).`);
    if (e.reason === 'fingerprint_mismatch') return new CliError(EXIT.integrity, e.message);
    if (e.reason === 'not_sealed') return new CliError(EXIT.integrity, `${e.message} Copy the whole link, with the part after #.`);
  }
  const err = toCliError(e);
  if (what === 'request' && err.code === EXIT.gone) return new CliError(EXIT.gone, err.message.replace(/share/g, 'request').replace(/ Ask the sender for a new link\./, ''));
  return err;
}
