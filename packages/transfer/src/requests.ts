// v1.1 file requests (DESIGN.md "Recipient keys and file requests"): a
// requester publishes /r/<rid>#<fingerprint> bound to their key; a sender
// fetches the request, refuses a key whose fingerprint is not the link's (a
// server cannot swap in its own), and sends a share sealed to it.

import { FingerprintMismatchError, KeyFormatError, requestRecipient, type Identity, type Recipient } from '@sealdrop/crypto';
import type { CloseRequestResponse, CreateRequestResponse, RequestInfoResponse, RequestShare, SealdropClient } from '@sealdrop/shared';
import { TransferError } from './errors.ts';
import type { ReceiveContext } from './receive.ts';
import { withRetry } from './retry.ts';
import { sendFiles, type SendOptions, type SendResult, type SendSettings } from './send.ts';

const ctxOf = (ctx: ReceiveContext) => ({
  policy: ctx.retry,
  signal: ctx.signal,
  connectivity: ctx.connectivity,
  onRetry: (i: { attempt: number; delayMs: number; error: unknown; kind: import('./errors.ts').ErrorClass; offline: boolean }) => ctx.onEvent?.({ type: 'retry', step: 'info', ...i }),
});

export interface RequestSettings {
  expiresIn: number;
  maxShares: number;
  maxBytes: number;
  uploadToken?: string;
}

/** POST /api/requests bound to the identity's public key. Not retried on a lost answer (it would make a second request). */
export async function createFileRequest(client: SealdropClient, identity: Identity, s: RequestSettings): Promise<CreateRequestResponse & { fingerprint: string }> {
  const res = await client.createRequest({ recipient: identity.recipient.text, expiresIn: s.expiresIn, maxShares: s.maxShares, maxBytes: s.maxBytes }, s.uploadToken);
  return { ...res, fingerprint: identity.recipient.fingerprint };
}

/** The path and fragment of a request link: `/r/<rid>#<fingerprint>`. */
export const requestLinkPath = (rid: string, fingerprint: string) => `/r/${rid}#${fingerprint}`;

/**
 * GET /api/requests/:rid and the key checked against the link's fingerprint.
 * A mismatch (or a malformed key) is an integrity failure `fingerprint_mismatch`: nothing may be sent.
 */
export async function openFileRequest(client: SealdropClient, rid: string, fingerprint: string, ctx: ReceiveContext = {}): Promise<{ info: RequestInfoResponse; recipient: Recipient }> {
  const info = await withRetry(() => client.requestInfo(rid), ctxOf(ctx));
  try {
    return { info, recipient: requestRecipient(info.recipient, fingerprint) };
  } catch (e) {
    if (e instanceof FingerprintMismatchError || e instanceof KeyFormatError) {
      throw new TransferError('integrity', 'fingerprint_mismatch', e.message, { cause: e });
    }
    throw e;
  }
}

export type SendToRequestOptions<Body> = Omit<SendOptions<Body>, 'recipients' | 'settings' | 'resume'> & {
  request: { id: string; fingerprint: string };
  settings: Omit<SendSettings, 'request' | 'uploadToken'>;
};

/** A request share cannot outlive the request: the seconds it has left, or fewer if asked (null: all of them). */
export function requestShareExpiry(info: Pick<RequestInfoResponse, 'expiresAt'>, wanted: number | null): number {
  const left = Math.max(1, Math.floor((Date.parse(info.expiresAt) - Date.now()) / 1000));
  return wanted === null ? left : Math.min(wanted, left);
}

/** Checks the request's key against the link, then sends a share sealed to it only, counted against the request. */
export async function sendToRequest<Body>(o: SendToRequestOptions<Body>): Promise<SendResult & { recipient: Recipient }> {
  const { recipient, info } = await openFileRequest(o.client, o.request.id, o.request.fingerprint, o);
  const settings: SendSettings = { ...o.settings, expiresIn: requestShareExpiry(info, o.settings.expiresIn), request: o.request.id };
  const res = await sendFiles({ ...o, settings, recipients: [recipient] });
  return { ...res, recipient };
}

/** What arrived (GET /api/requests/:rid/shares), newest first. */
export async function listRequestShares(client: SealdropClient, rid: string, ownerToken: string, ctx: ReceiveContext = {}): Promise<RequestShare[]> {
  return (await withRetry(() => client.requestShares(rid, ownerToken), ctxOf(ctx))).shares;
}

/** Closes the request (idempotent on the server), optionally revoking what arrived. */
export async function closeFileRequest(client: SealdropClient, rid: string, ownerToken: string, opts: { revokeShares?: boolean } = {}, ctx: ReceiveContext = {}): Promise<CloseRequestResponse> {
  return withRetry(() => client.closeRequest(rid, ownerToken, opts), ctxOf(ctx));
}
