// Opens a sealed share's stanzas off the main thread (X-Wing decapsulation per
// stanza and identity): the engine's unsealLink with this origin's API.
import { parseIdentity } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { TransferError, unsealLink } from '@sealdrop/transfer';

export interface UnsealRequest {
  id: string;
  /** Identity texts (SEALDROP-SECRET-KEY-1:…). */
  identities: string[];
}
export type UnsealReply = { ok: true; secret: string; fingerprint: string } | { ok: false; reason: string; message: string };

self.onmessage = async (ev: MessageEvent<UnsealRequest>) => {
  let reply: UnsealReply;
  try {
    const client = new SealdropClient(self.location.origin);
    const { secret, identity } = await unsealLink(client, ev.data.id, ev.data.identities.map((t) => parseIdentity(t)));
    reply = { ok: true, secret, fingerprint: identity.recipient.fingerprint };
  } catch (e) {
    reply = { ok: false, reason: e instanceof TransferError ? e.reason : 'error', message: (e as Error).message };
  }
  (self as unknown as Worker).postMessage(reply);
};
