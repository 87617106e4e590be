// The one Cobblestone decryption state machine, for every platform: read the
// header (or take it apart, for a Range resume) and check its commitment, cut
// the rest into sealed chunks of 16400 bytes, treat what is left at the end as
// the final, shorter chunk, and fail closed on truncation, trailing data, an
// empty input or a chunk that does not open. How a chunk is opened is the only
// thing a platform brings (a ChunkOpener): WebCrypto in decryptStream.ts,
// node:crypto in node/decryptStream.ts.

import { chunkOffset, ciphertextSize, CobblestoneError, HEADER_BYTES, openHeader, resolveAead, SEALED_CHUNK_BYTES, TAG_BYTES, type DecryptStreamOptions, type MessageKeys } from './cobblestone.ts';
import { asBytes } from './streamBytes.ts';

/** Opens the sealed chunks of one message (its keys are fixed when the opener is made). */
export interface ChunkOpener {
  /**
   * How many chunks are handed to open() before their plaintexts are awaited:
   * the jobs an asynchronous opener runs at once (WebCrypto's thread pool);
   * Infinity for a synchronous one (all the chunks of one input).
   */
  readonly batch: number;
  /**
   * Sealed chunk `index`'s plaintext, given (or resolved) only once its tag
   * verified; otherwise throws (or rejects with) CobblestoneError('auth').
   * `isFinal`: the message's last, shorter chunk (Cobblestone marks the end by
   * length alone, so an AEAD opener needs no more than the nonce of `index`).
   * `sealed` is reused once open() returns: read or copy it before.
   */
  open(index: number, isFinal: boolean, sealed: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Joins plaintexts into one piece (joinChunks); by default a copy into a fresh array. */
  join?(parts: Uint8Array[]): Uint8Array;
}

/** The plaintexts of one batch as one piece (they are copied once). */
function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Hands on the plaintexts of `jobs` in order: one piece each, or one piece for
 * all with a `join`. At the first that fails, the ones that authenticated before
 * it still go out, then the failure is thrown; a later job's rejection never
 * goes unhandled.
 */
async function release(jobs: (Uint8Array | Promise<Uint8Array>)[], join: ((parts: Uint8Array[]) => Uint8Array) | null, out: PieceSink): Promise<void> {
  for (const j of jobs) if (!(j instanceof Uint8Array)) j.catch(() => {});
  const parts: Uint8Array[] = [];
  try {
    for (const j of jobs) {
      const plain = j instanceof Uint8Array ? j : await j;
      if (join) parts.push(plain);
      else await out(plain);
    }
  } finally {
    if (parts.length) await out(parts.length === 1 ? parts[0] : join!(parts));
  }
}

/** Takes each authenticated piece (awaited before the next one is opened). */
export type PieceSink = (piece: Uint8Array) => void | Promise<void>;

/**
 * A Cobblestone decryptor fed by hand, for a caller that reads its input
 * itself (no stream hop per piece): the commitment is checked before any
 * chunk; a chunk's plaintext goes out only after its tag verified; truncation,
 * trailing data and reordering throw, and after one failure every call throws
 * it again. Output pieces are whole chunks (the last one shorter), or with
 * `joinChunks` whole batches. A sealed chunk of 16400 bytes is opened as soon
 * as it is in, so when an input stops early everything whole it brought is out.
 */
export interface FrameDecryptor {
  /** The next bytes of the input; resolves once every chunk they completed went to `out`. */
  push(input: Uint8Array, out: PieceSink): Promise<void>;
  /** The input ended: the final, shorter chunk goes to `out`, or truncation throws. */
  end(out: PieceSink): Promise<void>;
}

/** decryptFrames' state machine around `makeOpener` (the key and the header, when given, are checked first). */
export async function createFrameDecryptor(inputKey: Uint8Array, opts: DecryptStreamOptions, makeOpener: (keys: MessageKeys) => ChunkOpener): Promise<FrameDecryptor> {
  const f = framer(inputKey, opts, makeOpener);
  await f.start();
  return f;
}

/** The state machine; its arguments are checked at once, the key and the header by start(). */
function framer(inputKey: Uint8Array, opts: DecryptStreamOptions, makeOpener: (keys: MessageKeys) => ChunkOpener): FrameDecryptor & { start(): Promise<void> } {
  const fromChunk = opts.fromChunk ?? 0;
  if (!Number.isSafeInteger(fromChunk) || fromChunk < 0) throw new RangeError('fromChunk must be a non-negative safe integer');
  if (fromChunk > 0 && !opts.header) throw new TypeError('fromChunk needs the message header');
  let opener: ChunkOpener | null = null;
  const headerBuf = new Uint8Array(HEADER_BYTES);
  let headerLen = 0;
  // A sealed chunk split across two inputs waits here (at most one).
  const pending = new Uint8Array(SEALED_CHUNK_BYTES);
  let pendingLen = 0;
  let index = fromChunk;
  const expectedEnd = opts.size === undefined ? Infinity : ciphertextSize(opts.size);
  let position = opts.header ? chunkOffset(fromChunk) : 0;
  if (position > expectedEnd) throw new RangeError('fromChunk lies past the end of the message');
  let failure: unknown = null;

  const guard = async (fn: () => Promise<void> | void): Promise<void> => {
    if (failure) throw failure;
    try {
      await fn();
    } catch (e) {
      failure = e;
      throw e;
    }
  };
  const openMessage = async (header: Uint8Array) => {
    opener = makeOpener(await openHeader(inputKey, header, opts.context, opts.aead));
  };
  return {
    start: () =>
      guard(async () => {
        resolveAead(inputKey, opts.aead);
        if (opts.header) await openMessage(opts.header);
      }),
    push: (input, out) =>
      guard(async () => {
        const data = asBytes(input);
        position += data.length;
        if (position > expectedEnd) throw new CobblestoneError('trailing');
        let off = 0;
        if (!opener) {
          const take = Math.min(HEADER_BYTES - headerLen, data.length);
          headerBuf.set(data.subarray(0, take), headerLen);
          headerLen += take;
          off = take;
          if (headerLen < HEADER_BYTES) return;
          await openMessage(headerBuf);
        }
        const o: ChunkOpener = opener!;
        const join = opts.joinChunks ? (o.join ?? joined) : null;
        while (off < data.length) {
          const jobs: (Uint8Array | Promise<Uint8Array>)[] = [];
          let thrown: { e: unknown } | null = null;
          try {
            if (pendingLen > 0) {
              const take = Math.min(SEALED_CHUNK_BYTES - pendingLen, data.length - off);
              pending.set(data.subarray(off, off + take), pendingLen);
              pendingLen += take;
              off += take;
              // A sealed chunk of 16400 bytes is never final, so it can be opened now.
              if (pendingLen === SEALED_CHUNK_BYTES) {
                pendingLen = 0;
                jobs.push(o.open(index++, false, pending));
              }
            }
            while (jobs.length < o.batch && data.length - off >= SEALED_CHUNK_BYTES) {
              off += SEALED_CHUNK_BYTES;
              jobs.push(o.open(index++, false, data.subarray(off - SEALED_CHUNK_BYTES, off)));
            }
            if (data.length - off < SEALED_CHUNK_BYTES && pendingLen === 0 && off < data.length) {
              pending.set(data.subarray(off), 0);
              pendingLen = data.length - off;
              off = data.length;
            }
          } catch (e) {
            // A synchronous opener failed: what opened before it still goes out first.
            thrown = { e };
          }
          await release(jobs, join, out);
          if (thrown) throw thrown.e;
        }
      }),
    end: (out) =>
      guard(async () => {
        if (!opener) throw new CobblestoneError('truncated', 'shorter than the 56-byte header');
        if (opts.size !== undefined && position < expectedEnd) throw new CobblestoneError('truncated');
        if (pendingLen < TAG_BYTES) throw new CobblestoneError('truncated', pendingLen === 0 ? 'the final chunk is missing' : 'the final chunk is cut');
        await out(await opener.open(index++, true, pending.subarray(0, pendingLen)));
      }),
  };
}

/**
 * createFrameDecryptor as a stream: an errored stream stays errored (it never
 * just closes), and the key and header are checked when it starts.
 */
export function createFramedDecryptStream(inputKey: Uint8Array, opts: DecryptStreamOptions, makeOpener: (keys: MessageKeys) => ChunkOpener): TransformStream<Uint8Array, Uint8Array> {
  const dec = framer(inputKey, opts, makeOpener);
  return new TransformStream<Uint8Array, Uint8Array>({
    start: () => dec.start(),
    transform: (input, controller) => dec.push(input, (piece) => controller.enqueue(piece)),
    flush: (controller) => dec.end((piece) => controller.enqueue(piece)),
  });
}
