// "One salt, one plaintext" (DESIGN.md "Key schedule"): a file's Cobblestone
// salt is drawn here, once, and never taken from outside, except through the
// resume path, which re-checks the digest recorded for every part it remakes.

import { ciphertextSize, deriveMessageKeys, SALT_BYTES, type MessageKeys, type PlaintextSource } from './cobblestone.ts';
import { partCount } from './constants.ts';
import { randomBytes } from './encoding.ts';
import { encryptPartWithDigest } from './partDigest.ts';

/** The client-only resume journal (IndexedDB in the browser, a 0600 file for the CLI). Deleted after finalize: it holds S. */
export interface ResumeJournal {
  id: string;
  ownerToken: string;
  /** The link secret S (b64u). */
  secret: string;
  partBytes: number;
  /** Per file: the Cobblestone salt (b64u). */
  salts: string[];
  /** Per file: plaintext size. */
  sizes: number[];
  lastModified: (number | null)[];
  /** Per file, per part: the part digest (partDigest.ts), once made. */
  partDigests: (string | null)[][];
  /**
   * PART_DIGEST: what partDigests hold. Journals written before it hold SHA-256s of
   * whole parts, which no part made now can match: a resume restarts their files.
   */
  partDigest?: string;
}

export class SourceChangedError extends Error {
  override name = 'SourceChangedError';
  constructor(readonly part: number) {
    super(`The file changed since its upload started (part ${part} no longer matches). It must be uploaded again from the start.`);
  }
}

/** Parts of a message of `ciphertextBytes` in `partBytes` pieces (at least one). */
export const partCountFor = partCount;

export class FileEncryptor {
  readonly ciphertextSize: number;
  readonly partCount: number;
  readonly #digests: (string | null)[];

  private constructor(
    readonly source: PlaintextSource,
    readonly keys: MessageKeys,
    readonly partBytes: number,
    digests: (string | null)[] | null,
  ) {
    this.ciphertextSize = ciphertextSize(source.size);
    this.partCount = partCountFor(this.ciphertextSize, partBytes);
    if (digests && digests.length !== this.partCount) throw new SourceChangedError(0);
    this.#digests = digests ? digests.slice() : new Array<string | null>(this.partCount).fill(null);
  }

  /** A new upload of `source`: draws a fresh salt. */
  static async create(source: PlaintextSource, inputKey: Uint8Array, context: Uint8Array, partBytes: number): Promise<FileEncryptor> {
    checkPartBytes(partBytes);
    const keys = await deriveMessageKeys(inputKey, randomBytes(SALT_BYTES), context);
    return new FileEncryptor(source, keys, partBytes, null);
  }

  /**
   * Continues an upload from its journal: the only way to reuse a salt. Every
   * part whose digest was recorded is checked when it is made again; a
   * mismatch throws SourceChangedError (restart the file with create()).
   */
  static async resume(source: PlaintextSource, inputKey: Uint8Array, context: Uint8Array, partBytes: number, journalSalt: Uint8Array, partDigests: (string | null)[]): Promise<FileEncryptor> {
    checkPartBytes(partBytes);
    if (!Array.isArray(partDigests) || partDigests.some((d) => d !== null && !/^[0-9a-f]{64}$/.test(d))) throw new TypeError('invalid part digests');
    const keys = await deriveMessageKeys(inputKey, journalSalt, context);
    return new FileEncryptor(source, keys, partBytes, partDigests);
  }

  get salt(): Uint8Array {
    return this.keys.salt.slice();
  }

  /** Digests recorded so far (for the journal). */
  get partDigests(): (string | null)[] {
    return this.#digests.slice();
  }

  partRange(n: number): { start: number; end: number } {
    if (!Number.isInteger(n) || n < 0 || n >= this.partCount) throw new RangeError(`no part ${n}`);
    return { start: n * this.partBytes, end: Math.min(this.ciphertextSize, (n + 1) * this.partBytes) };
  }

  /** Ciphertext of part n and its part digest; throws SourceChangedError when it differs from a recorded digest. */
  async makePart(n: number): Promise<{ bytes: Uint8Array; sha256: string }> {
    const { start, end } = this.partRange(n);
    const { bytes, sha256 } = await encryptPartWithDigest(this.source, this.keys, start, end);
    const recorded = this.#digests[n];
    if (recorded !== null && recorded !== sha256) throw new SourceChangedError(n);
    this.#digests[n] = sha256;
    return { bytes, sha256 };
  }
}

function checkPartBytes(partBytes: number): void {
  if (!Number.isSafeInteger(partBytes) || partBytes <= 0) throw new RangeError('partBytes must be a positive integer');
}
