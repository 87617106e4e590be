// The browser's recipient identities (v1.1), kept in this browser's IndexedDB
// only and never sent anywhere. An identity opens every share sealed to its
// public key, so it leaves this browser only as a file the user exports.
import { formatIdentityFile, generateIdentity, parseIdentityFile, parseIdentity, type Identity } from '@sealdrop/crypto';
import { withIdbStore, type IdbStore } from '../app/idb.ts';

export interface StoredIdentity {
  fingerprint: string;
  /** SEALDROP-SECRET-KEY-1:… (secret). */
  secret: string;
  /** sealdrop-pq1:… */
  publicKey: string;
  createdAt: string;
}

const IDENTITIES: IdbStore = { db: 'sealdrop-keys', store: 'identities', keyPath: 'fingerprint', blocked: 'The key store is open in another tab.' };

const withStore = <T,>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void) => withIdbStore<T>(IDENTITIES, mode, fn);

const stored = (identity: Identity, createdAt = new Date().toISOString()): StoredIdentity => ({
  fingerprint: identity.recipient.fingerprint,
  secret: identity.text,
  publicKey: identity.recipient.text,
  createdAt,
});

export async function listIdentities(): Promise<StoredIdentity[]> {
  const all = (await withStore<StoredIdentity[]>('readonly', (s) => s.getAll())) ?? [];
  return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A new identity, saved. */
export async function createIdentity(): Promise<StoredIdentity> {
  const s = stored(generateIdentity());
  await withStore('readwrite', (st) => st.put(s));
  return s;
}

/** Every identity of an identity file, saved (an existing one is kept as it was). Throws KeyFormatError. */
export async function importIdentityFile(text: string): Promise<StoredIdentity[]> {
  const ids = parseIdentityFile(text);
  if (ids.length === 0) throw new Error('That file holds no identity.');
  const have = new Set((await listIdentities()).map((i) => i.fingerprint));
  const added = ids.filter((i) => !have.has(i.recipient.fingerprint)).map((i) => stored(i));
  await withStore('readwrite', (st) => void added.forEach((a) => st.put(a)));
  return added;
}

export async function deleteIdentity(fingerprint: string): Promise<void> {
  await withStore('readwrite', (s) => s.delete(fingerprint));
}

/** The identity file text of "sealdrop identity new" (comments with the public key and date). */
export function identityFileText(s: StoredIdentity): string {
  return formatIdentityFile(parseIdentity(s.secret), new Date(s.createdAt));
}

export const identityOf = (s: StoredIdentity): Identity => parseIdentity(s.secret);
