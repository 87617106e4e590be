// File requests created in this browser. Like "My links", owner tokens stay in
// localStorage and are sent only as `Owner` auth to this origin; the request's
// key stays in IndexedDB (identityStore.ts).
import { displayFingerprint } from '@sealdrop/crypto';
import { closeFileRequest, createFileRequest, listRequestShares, openFileRequest, requestLinkPath, requestShareExpiry, type RequestSettings } from '@sealdrop/transfer';
import { api } from '../app/api.ts';
import { identityOf, type StoredIdentity } from './identityStore.ts';

export interface MyRequest {
  id: string;
  ownerToken: string;
  fingerprint: string;
  url: string;
  createdAt: string;
  expiresAt: string;
  closed?: boolean;
}

const KEY = 'sealdrop.myRequests.v1';

export function listMyRequests(): MyRequest[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? (v as MyRequest[]) : [];
  } catch {
    return [];
  }
}

function save(r: MyRequest): void {
  localStorage.setItem(KEY, JSON.stringify([r, ...listMyRequests().filter((x) => x.id !== r.id)]));
}

/** A request bound to one of this browser's keys; its link is /r/<id>#<fingerprint>. */
export async function createMyRequest(k: StoredIdentity, s: RequestSettings): Promise<MyRequest> {
  const r = await createFileRequest(api, identityOf(k), s);
  const mine: MyRequest = { id: r.id, ownerToken: r.ownerToken, fingerprint: r.fingerprint, url: location.origin + requestLinkPath(r.id, r.fingerprint), createdAt: new Date().toISOString(), expiresAt: r.expiresAt };
  save(mine);
  return mine;
}

export const arrivals = (r: MyRequest) => listRequestShares(api, r.id, r.ownerToken);

export async function closeMyRequest(r: MyRequest): Promise<void> {
  await closeFileRequest(api, r.id, r.ownerToken);
  save({ ...r, closed: true });
}

/** The request a sender opened, its key checked against the link's fingerprint (TransferError `fingerprint_mismatch` otherwise). */
export async function openRequestForSending(rid: string, fingerprint: string) {
  const { info, recipient } = await openFileRequest(api, rid, fingerprint);
  return { info, recipient, expiresIn: requestShareExpiry(info, 7 * 86400), shown: displayFingerprint(recipient.fingerprint) };
}
