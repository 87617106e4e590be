// v1.1 recipient keys (DESIGN.md "Recipient keys and file requests"), the two
// steps the v1 flows gain: sealing S to public keys before finalize, and
// opening a fragment-less link with an identity. Everything after the unwrap
// is the v1 receive flow unchanged.

import {
  b64uEncode,
  MAX_STANZAS,
  MIN_STANZAS,
  NotSealedToYouError,
  openStanzas,
  parseLinkSecret,
  sealToRecipients,
  type Identity,
  type Recipient,
} from '@sealdrop/crypto';
import type { SealdropClient } from '@sealdrop/shared';
import { TransferError } from './errors.ts';
import type { SendJournal } from './journal.ts';
import type { PasswordKdf } from './ports.ts';
import { openShare, type ReceiveContext, type ReceiveShare } from './receive.ts';
import { withRetry } from './retry.ts';

/** 1 to 20 distinct recipients, else a TransferError an app can word. */
export function checkRecipients(recipients: readonly Recipient[]): void {
  if (recipients.length < MIN_STANZAS || recipients.length > MAX_STANZAS) {
    throw new TransferError('input', 'recipient_count', `A share is sealed to ${MIN_STANZAS} to ${MAX_STANZAS} recipients (got ${recipients.length}).`);
  }
}

/** Distinct recipients by fingerprint, in the order given (the same key twice would only add a stanza). */
export function uniqueRecipients(recipients: readonly Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => !seen.has(r.fingerprint) && (seen.add(r.fingerprint), true));
}

/**
 * Wraps the journal's S to the recipients (stanzas in random order) unless it
 * already holds stanzas: a resumed finalize must send the very same ones.
 */
export async function sealJournalTo(j: SendJournal, recipients: readonly Recipient[] | undefined): Promise<void> {
  if (!recipients?.length || j.recipients?.length) return;
  checkRecipients(recipients);
  j.recipients = await sealToRecipients(parseLinkSecret(j.secret), [...recipients], j.id);
}

/** The sealed share's S opened by one of the identities, or a TransferError `not_sealed_to_you` / `not_sealed`. */
export async function unsealLink(
  client: SealdropClient,
  id: string,
  identities: readonly Identity[],
  ctx: ReceiveContext = {},
): Promise<{ secret: string; identity: Identity }> {
  const info = await withRetry(() => client.shareInfo(id), {
    policy: ctx.retry,
    signal: ctx.signal,
    connectivity: ctx.connectivity,
    onRetry: (i) => ctx.onEvent?.({ type: 'retry', step: 'info', ...i }),
  });
  if (!info.recipients?.length) throw new TransferError('input', 'not_sealed', 'This share is not sealed to keys: its link must carry the secret (#...).');
  try {
    const { secret, identity } = await openStanzas(info.recipients, identities, id);
    return { secret: b64uEncode(secret), identity };
  } catch (e) {
    if (e instanceof NotSealedToYouError) throw new TransferError('forbidden', 'not_sealed_to_you', 'This share is not sealed to any of your keys.', { cause: e });
    throw e;
  }
}

/**
 * openShare for a link without a fragment: unwrap S with an identity, then the
 * v1 flow. Nothing is consumed (GET /api/shares/:id only) until the key is known to work.
 */
export async function openSealedShare(
  client: SealdropClient,
  id: string,
  identities: readonly Identity[],
  getPassword: () => Promise<string>,
  ctx: ReceiveContext & { kdf?: PasswordKdf } = {},
): Promise<ReceiveShare & { identity: Identity }> {
  const { secret, identity } = await unsealLink(client, id, identities, ctx);
  return { ...(await openShare(client, { id, secret }, getPassword, ctx)), identity };
}
