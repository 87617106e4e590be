// The resume journal's part digest (docs/PROTOCOL.md "Salt rule"): what a
// resumed part must match before it is sent. It is taken from the AEAD tags of
// the chunks the part overlaps, not from all its ciphertext: under one key and
// nonce, GCM is deterministic and a chunk whose plaintext changed keeps its tag
// only with probability ~(its 16-byte blocks)/2^128, so the tags (and the header
// bytes, which no tag covers) stand for the bytes at ~1 % of the hashing.
//
//   SHA-256( "sealdrop/part-digest/v2" || u64(plaintext size) || u64(start) || u64(end)
//            || header bytes in [start, end) || tag of every chunk overlapping [start, end) )
//
// A chunk straddling a part boundary counts in both parts: its tag stands for
// all its plaintext, also the bytes that land in the neighbouring part.

import { ciphertextRangeChunks, ciphertextSize, encryptRange, HEADER_BYTES, TAG_BYTES, type MessageKeys, type PlaintextSource } from './cobblestone.ts';
import { bufferSource, hexEncode, utf8Encode } from './encoding.ts';

/** The digest's label, also the journal's mark for digests of this kind (older journals hold SHA-256s of whole parts). */
export const PART_DIGEST = 'sealdrop/part-digest/v2';

const LABEL = utf8Encode(PART_DIGEST);

/** Collects a part's digest input while its chunks are sealed: add() each overlapping chunk, in order, then hex(). */
export class PartDigest {
  readonly #input: Uint8Array;
  readonly #tagsAt: number;
  readonly #first: number;
  readonly #count: number;
  #added = 0;

  constructor(plaintextSize: number, start: number, end: number, header: Uint8Array) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > ciphertextSize(plaintextSize)) {
      throw new RangeError(`range [${start}, ${end}) outside the message`);
    }
    const head = start < HEADER_BYTES ? header.subarray(start, Math.min(end, HEADER_BYTES)) : new Uint8Array(0);
    const chunks = ciphertextRangeChunks(start, end, plaintextSize);
    this.#first = chunks?.first ?? 0;
    this.#count = chunks ? chunks.last - chunks.first + 1 : 0;
    this.#tagsAt = LABEL.length + 24 + head.length;
    this.#input = new Uint8Array(this.#tagsAt + TAG_BYTES * this.#count);
    this.#input.set(LABEL, 0);
    const view = new DataView(this.#input.buffer);
    [plaintextSize, start, end].forEach((v, i) => view.setBigUint64(LABEL.length + 8 * i, BigInt(v)));
    this.#input.set(head, LABEL.length + 24);
  }

  /** Sealed chunk `index` (whole, tag included), the next one the part overlaps. */
  add(index: number, sealed: Uint8Array): void {
    if (index !== this.#first + this.#added || this.#added === this.#count) throw new Error(`part digest: chunk ${index} out of order`);
    if (sealed.length < TAG_BYTES) throw new Error('part digest: a sealed chunk is shorter than its tag');
    this.#input.set(sealed.subarray(sealed.length - TAG_BYTES), this.#tagsAt + TAG_BYTES * this.#added++);
  }

  /**
   * Hex SHA-256 of the input, once every overlapping chunk was added. One small
   * input (a tag per 16 KiB), so WebCrypto's native one-shot digest: the
   * streaming WebAssembly hash would be compiled for it in a fresh encryption
   * worker first, 14-21 ms of a 1 KiB send's path (issue 11).
   */
  async hex(): Promise<string> {
    if (this.#added !== this.#count) throw new Error(`part digest: ${this.#count - this.#added} chunks missing`);
    return hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', bufferSource(this.#input))));
  }
}

/** Ciphertext bytes [start, end) (into `into` when given, see encryptRange) and their part digest, taken on the way. */
export async function encryptPartWithDigest(source: PlaintextSource, keys: MessageKeys, start: number, end: number, into?: Uint8Array): Promise<{ bytes: Uint8Array; sha256: string }> {
  const digest = new PartDigest(source.size, start, end, keys.header);
  const bytes = await encryptRange(source, keys, start, end, into, (k, sealed) => digest.add(k, sealed));
  return { bytes, sha256: await digest.hex() };
}
