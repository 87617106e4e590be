// The CLI's part maker and plaintext hasher for the engine: parts are made from
// file handles into pooled buffers (memory stays flat whatever the file size),
// and the whole-file SHA-256 (and BLAKE2b-512 for --sign) comes from the same reads.

import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CHUNK_BYTES, ciphertextRangeChunks, encryptPartWithDigest, type PlaintextSource } from '@sealdrop/crypto';
import { PlaintextTap, type PartMaker, type PlaintextHasher } from '@sealdrop/transfer';
import { CliError, EXIT } from '../exit.ts';
import type { InputFile } from '../files.ts';
import { formatSignature } from '../minisign/format.ts';
import type { SecretKey } from '../minisign/keys.ts';
import { createBlake2b512, defaultTrustedComment, signDigest, type Blake2b512 } from '../minisign/sign.ts';
import { BufferPool } from './bufferPool.ts';
import { SizedBody } from './http.ts';

/** A part body goes to the socket in pieces of this size (progress, back-pressure). */
const PIECE_BYTES = 1024 * 1024;
/** Plaintext read per source read (encryptRange reads 64 chunks at a time). */
const READ_BYTES = 64 * CHUNK_BYTES;

/** Memory for parts in flight: 3 lanes of the default 16 MiB parts and one spare; a 95 MiB part goes alone. */
const PART_BUDGET = 64 * 1024 * 1024;

/** A file read at positions into a buffer of the caller's, which the next read overwrites. */
interface FileReader {
  size: number;
  /** A plaintext source whose reads land in `buf` (encryptRange uses each read before the next; node's WebCrypto copies its input at once). */
  source(buf: Uint8Array): PlaintextSource;
  close(): Promise<void>;
}

async function openReader(path: string): Promise<FileReader> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return {
      size,
      source: (buf) => ({
        size,
        async read(offset, length) {
          const into = length <= buf.length ? buf.subarray(0, length) : new Uint8Array(length);
          let got = 0;
          while (got < length) {
            const { bytesRead } = await fh.read(into, got, length - got, offset + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
          return into.subarray(0, got);
        },
      }),
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** The whole-file hashes a tap feeds: SHA-256, plus BLAKE2b-512 when signing. */
interface FileHashes {
  tap: PlaintextTap;
  sha: Hash;
  blake: Blake2b512 | null;
}

/**
 * Parts and whole-file hashes from file handles, in one read and one
 * encryption per part: the part is made into a pooled buffer (one per lane in
 * flight, so memory does not grow with the file) and its digest is taken from
 * the tags of the very chunks it holds as they are sealed (partDigest.ts). The
 * whole-file plaintext SHA-256 (and BLAKE2b for --sign) comes from the same
 * reads through a PlaintextTap; only when a resume makes parts out of order
 * does the hasher read the file again.
 */
export function fileParts(files: InputFile[], signer: SecretKey | null, lanes: number): { parts: PartMaker<SizedBody>; hasher: PlaintextHasher } {
  const readers = new Map<number, Promise<FileReader>>();
  const reader = (i: number) => {
    let p = readers.get(i);
    if (!p) {
      p = openReader(files[i].path).then(async (r) => {
        if (r.size !== files[i].size) {
          await r.close();
          throw new CliError(EXIT.usage, `${files[i].name} changed size while being sent. Run the same command again to start over.`);
        }
        return r;
      });
      p.catch(() => {});
      readers.set(i, p);
    }
    return p;
  };
  const hashes = new Map<number, Promise<FileHashes>>();
  const hashesOf = (i: number) => {
    let h = hashes.get(i);
    if (!h) {
      h = (async () => {
        const sha = createHash('sha256');
        const blake = signer ? await createBlake2b512() : null;
        const tap = new PlaintextTap(files[i].size, { update: (b) => (sha.update(b), blake?.update(b)) });
        return { tap, sha, blake };
      })();
      hashes.set(i, h);
    }
    return h;
  };
  const reads = new BufferPool(READ_BYTES, (lanes + 1) * READ_BYTES);
  let partPool: BufferPool | null = null;
  const parts: PartMaker<SizedBody> = {
    async make(req) {
      const r = await reader(req.file);
      const { tap } = await hashesOf(req.file);
      const length = req.end - req.start;
      // Every part but a file's last is partBytes long: the pool grows to the longest seen.
      if (!partPool || length > partPool.bytes) {
        partPool?.retire();
        partPool = new BufferPool(length, PART_BUDGET);
      }
      const pool = partPool;
      const out = await pool.take();
      const readBuf = await reads.take();
      const first = ciphertextRangeChunks(req.start, req.end, r.size)?.first ?? 0;
      const tapped = tap.open(r.source(readBuf), first * CHUNK_BYTES);
      let bytes: Uint8Array;
      let sha256: string;
      try {
        ({ bytes, sha256 } = await encryptPartWithDigest(tapped.source, req.keys, req.start, req.end, out));
      } catch (e) {
        pool.give(out);
        throw e;
      } finally {
        tapped.end();
        reads.give(readBuf);
      }
      let released = false;
      const body = new SizedBody(length, async function* () {
        for (let off = 0; off < length && !released; off += PIECE_BYTES) yield bytes.subarray(off, Math.min(length, off + PIECE_BYTES));
      });
      return {
        body,
        sha256,
        length,
        release() {
          if (released) return;
          released = true; // a request still pumping this body stops short (and is destroyed) instead of sending reused bytes
          pool.give(out);
        },
      };
    },
    async done(i) {
      (await hashes.get(i))?.tap.close();
      const p = readers.get(i);
      readers.delete(i);
      if (p) await (await p.catch(() => null))?.close();
    },
  };
  const hasher: PlaintextHasher = {
    async hash(i, onBytes, signal) {
      const h = await hashesOf(i);
      const state = await h.tap.settled();
      signal.throwIfAborted();
      if (state === 'broken') return hashFile(files[i], signer, onBytes);
      onBytes(files[i].size);
      const minisig = h.blake ? formatSignature(signDigest(signer!, h.blake.digest(), defaultTrustedComment(files[i].name))) : null;
      return { sha256: h.sha.digest('hex'), minisig };
    },
  };
  return { parts, hasher };
}

/** Plaintext SHA-256 (and BLAKE2b-512 when signing) in one read through a reused buffer (a resume that made parts out of order). */
export async function hashFile(file: InputFile, signer: SecretKey | null, onBytes: (n: number) => void): Promise<{ sha256: string; minisig: string | null }> {
  const sha = createHash('sha256');
  const blake = signer ? await createBlake2b512() : null;
  const fh = await open(file.path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let pos = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      sha.update(chunk);
      blake?.update(chunk);
      pos += bytesRead;
      onBytes(bytesRead);
    }
  } finally {
    await fh.close();
  }
  const minisig = signer && blake ? formatSignature(signDigest(signer, blake.digest(), defaultTrustedComment(file.name))) : null;
  return { sha256: sha.digest('hex'), minisig };
}

