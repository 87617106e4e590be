// The send journal (DESIGN.md "One salt, one plaintext"): everything a resumed
// upload needs, written by the engine only, kept by each app where it can
// (IndexedDB, a 0600 file). It holds the link secret S and never the password.

import type { ResumeJournal, Stanza } from '@sealdrop/crypto';
import type { FileHash } from './ports.ts';

export interface JournalHash extends FileHash {
  /** The plaintext size and date the hash was computed for. */
  size: number;
  lastModified: number | null;
}

export interface SendJournal extends ResumeJournal {
  v: 1;
  createdAt: string;
  /** Names and media types for the manifest, sealed only at the end. */
  names: string[];
  types: string[];
  expiresIn: number;
  maxDownloads: number;
  /** b64u password salt when the share has a password. */
  passwordSalt: string | null;
  /** b64u access public key registered at create: a re-entered password is checked against it. */
  authPub: string;
  note?: string;
  /** The sender published the files' SHA-256s (the share was created with publishSha256): finalize sends them. */
  publishSha256?: true;
  /** Plaintext hashes once computed (null before). */
  hashes?: (JournalHash | null)[];
  /** The sealed manifest (b64u), written before finalize is sent, so a retried finalize sends the same bytes. */
  manifest?: string | null;
  /** v1.1: the stanzas (S wrapped to each recipient), made with the manifest, so a retried finalize sends the same ones. */
  recipients?: Stanza[] | null;
  /** The app's own fields (the web's "remember", the CLI's server and paths). */
  app?: Record<string, unknown>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A journal read back from storage: the shape the engine relies on, or null. */
export function parseJournal(x: unknown): SendJournal | null {
  const j = x as SendJournal;
  if (!j || typeof j !== 'object' || j.v !== 1) return null;
  const n = Array.isArray(j.names) ? j.names.length : -1;
  const ok =
    typeof j.id === 'string' &&
    typeof j.ownerToken === 'string' &&
    typeof j.secret === 'string' &&
    Number.isSafeInteger(j.partBytes) &&
    n >= 0 &&
    Array.isArray(j.salts) && j.salts.length === n &&
    Array.isArray(j.sizes) && j.sizes.length === n &&
    Array.isArray(j.lastModified) && j.lastModified.length === n &&
    Array.isArray(j.partDigests) && j.partDigests.length === n &&
    j.partDigests.every((d) => Array.isArray(d) && d.every((x) => x === null || HEX64.test(x))) &&
    typeof j.authPub === 'string' &&
    (j.partDigest === undefined || typeof j.partDigest === 'string') &&
    (j.passwordSalt === null || typeof j.passwordSalt === 'string');
  return ok ? j : null;
}
