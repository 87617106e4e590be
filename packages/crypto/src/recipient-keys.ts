// X-Wing identities and recipients and their text forms (docs/PROTOCOL.md §6
// "Text forms"): an identity is a 32-byte X-Wing seed, a recipient its 1216-byte
// public key, a fingerprint the SHA-256 of that key. Parsers are strict and say
// which part of the text is wrong.

import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { b64uDecode, b64uEncode, EncodingError, randomBytes } from './encoding.ts';

export const IDENTITY_PREFIX = 'SEALDROP-SECRET-KEY-1:';
export const RECIPIENT_PREFIX = 'sealdrop-pq1:';
export const XWING_SEED_BYTES = 32;
export const XWING_PUBLIC_KEY_BYTES = 1216;
export const FINGERPRINT_CHARS = 43;

const b64uChars = (bytes: number) => Math.ceil((bytes * 4) / 3);
export const IDENTITY_CHARS = IDENTITY_PREFIX.length + b64uChars(XWING_SEED_BYTES);
export const RECIPIENT_CHARS = RECIPIENT_PREFIX.length + b64uChars(XWING_PUBLIC_KEY_BYTES);

export type KeyTextKind = 'identity' | 'recipient' | 'fingerprint';

/** A text form that is not valid; `part` names what is wrong. */
export class KeyFormatError extends Error {
  override name = 'KeyFormatError';
  constructor(
    readonly kind: KeyTextKind,
    readonly part: 'type' | 'prefix' | 'length' | 'encoding',
    message: string,
  ) {
    super(message);
  }
}

/** A public key someone can seal shares to. */
export interface Recipient {
  /** `sealdrop-pq1:` + b64u(public key). */
  text: string;
  publicKey: Uint8Array;
  fingerprint: string;
}

/** A secret key that opens shares sealed to its recipient. */
export interface Identity {
  /** `SEALDROP-SECRET-KEY-1:` + b64u(seed). Secret. */
  text: string;
  seed: Uint8Array;
  recipient: Recipient;
}

/** b64u(SHA-256(public key bytes)): 43 characters. */
export function fingerprintOf(publicKey: Uint8Array): string {
  return b64uEncode(sha256(publicKey));
}

/** The fingerprint as people compare it: its first 16 characters in groups of four. */
export function displayFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 16).match(/.{1,4}/g)!.join(' ');
}

export function recipientFromPublicKey(publicKey: Uint8Array): Recipient {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== XWING_PUBLIC_KEY_BYTES) {
    throw new KeyFormatError('recipient', 'length', `An X-Wing public key is ${XWING_PUBLIC_KEY_BYTES} bytes.`);
  }
  return { text: RECIPIENT_PREFIX + b64uEncode(publicKey), publicKey, fingerprint: fingerprintOf(publicKey) };
}

export function identityFromSeed(seed: Uint8Array): Identity {
  if (!(seed instanceof Uint8Array) || seed.length !== XWING_SEED_BYTES) {
    throw new KeyFormatError('identity', 'length', `An identity seed is ${XWING_SEED_BYTES} bytes.`);
  }
  const { publicKey } = ml_kem768_x25519.keygen(seed);
  return { text: IDENTITY_PREFIX + b64uEncode(seed), seed, recipient: recipientFromPublicKey(publicKey) };
}

/** A fresh identity from 32 CSPRNG bytes. */
export function generateIdentity(): Identity {
  return identityFromSeed(randomBytes(XWING_SEED_BYTES));
}

function decodeKeyText(kind: KeyTextKind, what: string, text: unknown, prefix: string, bytes: number): Uint8Array {
  if (typeof text !== 'string') throw new KeyFormatError(kind, 'type', `The ${what} is not text.`);
  if (!text.startsWith(prefix)) {
    if (kind === 'recipient' && text.startsWith(IDENTITY_PREFIX)) {
      throw new KeyFormatError(kind, 'prefix', `This is a secret identity (${IDENTITY_PREFIX}…), not a public key. Keep it to yourself; give out the sealdrop-pq1:… public key instead.`);
    }
    // A secret is never echoed (error messages end up in terminals and CI logs).
    const shown = kind === 'identity' ? '' : `; this one starts with "${text.slice(0, Math.min(prefix.length, 24))}"`;
    throw new KeyFormatError(kind, 'prefix', `The ${what} must start with "${prefix}"${text.length ? shown : ' (it is empty)'}.`);
  }
  const body = text.slice(prefix.length);
  const want = b64uChars(bytes);
  const after = prefix ? ` after "${prefix}"` : '';
  if (body.length !== want) {
    throw new KeyFormatError(kind, 'length', `The ${what} must have ${want} characters${after}; this one has ${body.length}. Copy it again in full.`);
  }
  try {
    return b64uDecode(body, bytes);
  } catch (e) {
    if (e instanceof EncodingError) {
      throw new KeyFormatError(kind, 'encoding', `The ${what}${after} is not canonical base64url (${e.message.replace(/^base64url: /, '')}). Copy it again exactly.`);
    }
    throw e;
  }
}

/** Parses `SEALDROP-SECRET-KEY-1:<43 chars>` strictly. Throws KeyFormatError. */
export function parseIdentity(text: unknown): Identity {
  return identityFromSeed(decodeKeyText('identity', 'identity', text, IDENTITY_PREFIX, XWING_SEED_BYTES));
}

/** Parses `sealdrop-pq1:<1622 chars>` strictly. Throws KeyFormatError. */
export function parseRecipient(text: unknown): Recipient {
  return recipientFromPublicKey(decodeKeyText('recipient', 'public key', text, RECIPIENT_PREFIX, XWING_PUBLIC_KEY_BYTES));
}

/** Checks a 43-character fingerprint (b64u of 32 bytes) and returns it. Throws KeyFormatError. */
export function parseFingerprint(text: unknown): string {
  decodeKeyText('fingerprint', 'fingerprint', text, '', 32);
  return text as string;
}

/** The text of an identity file: two comment lines, then the identity. */
export function formatIdentityFile(identity: Identity, createdAt: Date = new Date()): string {
  return `# created: ${createdAt.toISOString()}\n# public key: ${identity.recipient.text}\n${identity.text}\n`;
}

/** One key per line; `#` comments and blank lines skipped; a bad line is named in the error. */
function parseKeyLines<T>(text: string, parse: (line: string) => T): T[] {
  const out: T[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      out.push(parse(line));
    } catch (e) {
      if (e instanceof KeyFormatError) throw new KeyFormatError(e.kind, e.part, `Line ${i + 1}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** Every identity of an identity file. Throws KeyFormatError naming the line. */
export function parseIdentityFile(text: string): Identity[] {
  const out = parseKeyLines(text, parseIdentity);
  if (out.length === 0) throw new KeyFormatError('identity', 'prefix', `This file holds no identity (no line starting with "${IDENTITY_PREFIX}").`);
  return out;
}

/** Public keys from text, one per line, as in a --to file. Throws KeyFormatError naming the line. */
export function parseRecipientList(text: string): Recipient[] {
  return parseKeyLines(text, parseRecipient);
}

/** The server's key for a request does not match the fingerprint in the request link. */
export class FingerprintMismatchError extends Error {
  override name = 'FingerprintMismatchError';
  constructor(
    readonly expected: string,
    readonly got: string,
  ) {
    super(`The server offers a key with fingerprint ${displayFingerprint(got)}, but the request link names ${displayFingerprint(expected)}. Nothing was sent: the link was altered, or the server swapped the key.`);
  }
}

/**
 * The recipient of a file request, checked against the link's fragment
 * (`/r/<rid>#<fingerprint>`): a sender seals only to a key whose fingerprint the
 * requester published. Throws KeyFormatError or FingerprintMismatchError.
 */
export function requestRecipient(recipientText: unknown, linkFingerprint: unknown): Recipient {
  const expected = parseFingerprint(linkFingerprint);
  const recipient = parseRecipient(recipientText);
  if (recipient.fingerprint !== expected) throw new FingerprintMismatchError(expected, recipient.fingerprint);
  return recipient;
}
