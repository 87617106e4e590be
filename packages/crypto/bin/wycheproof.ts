// Runs Wycheproof ChunkedEncryption (Cobblestone) vectors against this package:
// whole-message and streaming decryption (with the PartialPlaintext rules), the
// error kinds of header failures, and raw-mode checks (re-encryption equality,
// the valid prefix, ValidFinalChunk). Shared by `npm run vectors` and the tests;
// the streaming checks run on either decryptor (WebCrypto by default, or the
// CLI's node:crypto one).

import {
  bytesSource,
  chunkCount,
  chunkOffset,
  ciphertextSize,
  CobblestoneError,
  decryptChunk,
  decryptMessage,
  encryptRange,
  HEADER_BYTES,
  importRawKeys,
  isCiphertextSize,
  plaintextSize,
  type AeadName,
  type DecryptStreamOptions,
} from '../src/cobblestone.ts';
import { createDecryptStream } from '../src/decryptStream.ts';
import { concatBytes, constantTimeEqual, hexDecode, hexEncode } from '../src/encoding.ts';

export interface Vector {
  tcId: number;
  comment: string;
  key: string;
  ctx: string;
  ct: string;
  aeadKey?: string;
  baseNonce?: string;
  msgLength?: number;
  msgSha512?: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}

export interface VectorGroup {
  type: string;
  aead: AeadName;
  sha: string;
  tests: Vector[];
}

/** A streaming decryptor under test: createDecryptStream or createNodeDecryptStream. */
export type MakeDecryptStream = (inputKey: Uint8Array, opts: DecryptStreamOptions) => TransformStream<Uint8Array, Uint8Array>;

export interface VectorFile {
  algorithm: string;
  numberOfTests?: number;
  testGroups: VectorGroup[];
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function sha512Hex(data: Uint8Array): Promise<string> {
  return hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-512', data as Uint8Array<ArrayBuffer>)));
}

/** Deterministic piece sizes so a failure reproduces. */
function pieces(data: Uint8Array, seed: number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let x = seed >>> 0 || 1;
  for (let o = 0; o < data.length; ) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const n = 1 + ((x >>> 0) % max);
    out.push(data.slice(o, o + n));
    o += n;
  }
  return out;
}

async function streamDecrypt(make: MakeDecryptStream, key: Uint8Array, ctx: Uint8Array, aead: AeadName, parts: Uint8Array[]): Promise<{ out: Uint8Array; error: unknown; staysFailed: boolean }> {
  const ts = make(key, { context: ctx, aead });
  const chunks: Uint8Array[] = [];
  const reading = (async () => {
    const reader = ts.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      chunks.push(value);
    }
  })();
  const writer = ts.writable.getWriter();
  let error: unknown = null;
  try {
    for (const p of parts) await writer.write(p);
    await writer.close();
  } catch (e) {
    error = e;
  }
  try {
    await reading;
  } catch (e) {
    error ??= e;
  }
  let staysFailed = true;
  if (error) {
    // A failed stream must keep failing: more input is refused, it never closes cleanly.
    staysFailed = await writer.write(new Uint8Array(16)).then(() => false, () => true);
    staysFailed &&= await writer.close().then(() => false, () => true);
  }
  return { out: concatBytes(...chunks), error, staysFailed };
}

const HEADER_KINDS = new Set(['key_size', 'commitment', 'truncated', 'header']);

/** Checks one vector; returns the list of problems (empty when it passes). */
export async function checkVector(aead: AeadName, v: Vector, make: MakeDecryptStream = createDecryptStream): Promise<string[]> {
  const problems: string[] = [];
  const key = hexDecode(v.key);
  const ctx = hexDecode(v.ctx);
  const ct = await inflate(hexDecode(v.ct));
  const valid = v.result === 'valid';
  const partial = v.flags.includes('PartialPlaintext');
  const headerFailure = v.flags.includes('HeaderFailure');

  const checkError = (where: string, e: unknown) => {
    if (!(e instanceof CobblestoneError)) return problems.push(`${where}: unexpected error ${String(e)}`);
    if (headerFailure && !HEADER_KINDS.has(e.kind)) problems.push(`${where}: header failure reported as '${e.kind}'`);
    if (v.flags.includes('InvalidKeySize') && e.kind !== 'key_size') problems.push(`${where}: bad key size reported as '${e.kind}'`);
    if ((v.flags.includes('WrongKey') || v.flags.includes('WrongContext')) && e.kind !== 'commitment') problems.push(`${where}: wrong key/context reported as '${e.kind}'`);
    return 0;
  };

  // 1. Whole message.
  let plaintext: Uint8Array | null = null;
  try {
    plaintext = await decryptMessage(key, ct, { context: ctx, aead });
    if (!valid) problems.push('whole message: an invalid ciphertext was accepted');
    else if (plaintext.length !== v.msgLength || (await sha512Hex(plaintext)) !== v.msgSha512) problems.push('whole message: wrong plaintext');
  } catch (e) {
    if (valid) problems.push(`whole message: rejected a valid ciphertext: ${String(e)}`);
    else checkError('whole message', e);
  }

  // 2. Streaming, in one piece and in odd-sized pieces.
  const splits = [[ct], pieces(ct, v.tcId, 41), pieces(ct, v.tcId * 7919, 40000)];
  for (const [i, parts] of splits.entries()) {
    const where = `stream split ${i}`;
    const { out, error, staysFailed } = await streamDecrypt(make, key, ctx, aead, parts);
    if (valid) {
      if (error) problems.push(`${where}: rejected a valid ciphertext: ${String(error)}`);
      else if (out.length !== v.msgLength || (await sha512Hex(out)) !== v.msgSha512) problems.push(`${where}: wrong plaintext`);
      continue;
    }
    if (!error) {
      problems.push(`${where}: an invalid ciphertext was accepted`);
      continue;
    }
    checkError(where, error);
    if (!staysFailed) problems.push(`${where}: the failed stream accepted more input`);
    if (partial) {
      if (out.length !== v.msgLength || (await sha512Hex(out)) !== v.msgSha512) problems.push(`${where}: released ${out.length} bytes, not the valid prefix of ${v.msgLength}`);
    } else if (out.length !== 0) {
      problems.push(`${where}: released ${out.length} bytes of an invalid message`);
    }
  }

  // 3. Raw mode.
  if (v.aeadKey && v.baseNonce) {
    const header = ct.length >= HEADER_BYTES ? ct.subarray(0, HEADER_BYTES) : new Uint8Array(HEADER_BYTES);
    const raw = await importRawKeys(aead, hexDecode(v.aeadKey), hexDecode(v.baseNonce), header);
    if (valid && plaintext) {
      const again = await encryptRange(bytesSource(plaintext), raw, 0, ciphertextSize(plaintext.length));
      if (!constantTimeEqual(again, ct)) problems.push('raw mode: re-encryption differs from the vector');
    }
    if (partial && v.msgLength !== undefined) {
      const prefix: Uint8Array[] = [];
      for (let k = 0; k < v.msgLength / 16384; k++) {
        try {
          prefix.push(await decryptChunk(raw, k, ct.subarray(chunkOffset(k), chunkOffset(k + 1))));
        } catch {
          problems.push(`raw mode: chunk ${k} of the valid prefix does not open`);
        }
      }
      if ((await sha512Hex(concatBytes(...prefix))) !== v.msgSha512) problems.push('raw mode: the valid prefix differs');
    }
    // Authenticating the length by opening the final chunk succeeds only for valid and ValidFinalChunk vectors.
    let finalOk = false;
    if (isCiphertextSize(ct.length)) {
      const last = chunkCount(plaintextSize(ct.length)) - 1;
      finalOk = await decryptChunk(raw, last, ct.subarray(chunkOffset(last))).then(() => true, () => false);
    }
    const expectFinal = valid || v.flags.includes('ValidFinalChunk');
    if (finalOk !== expectFinal) problems.push(`raw mode: opening the final chunk ${finalOk ? 'succeeded' : 'failed'}, expected ${expectFinal ? 'success' : 'failure'}`);
  }
  return problems;
}

export async function runVectorFile(file: VectorFile, report: (v: Vector, problems: string[]) => void, make: MakeDecryptStream = createDecryptStream): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  for (const group of file.testGroups) {
    if (group.type !== 'ChunkedEncryption' || group.sha !== 'SHA-512') throw new Error(`unsupported test group ${group.type}/${group.sha}`);
    for (const v of group.tests) {
      let problems: string[];
      try {
        problems = await checkVector(group.aead, v, make);
      } catch (e) {
        problems = [`crashed: ${String(e)}`];
      }
      if (problems.length === 0) passed++;
      else failed++;
      report(v, problems);
    }
  }
  return { passed, failed };
}
