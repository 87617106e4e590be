// Streaming SHA-256 of plaintext: the unrolled WebAssembly compression of
// sha256-wasm.ts (its SIMD variant where the runtime validates WASM SIMD, else
// the scalar one; the same code in browsers and Node), or @noble/hashes where a
// runtime forbids compiling WebAssembly (workerd).

import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hexEncode } from './encoding.ts';
import { INPUT_CAPACITY, INPUT_OFFSET, STATE_OFFSET, sha256ModuleBytes } from './sha256-wasm.ts';

export interface Sha256 {
  update(data: Uint8Array): void;
  digestHex(): string;
  /** An independent hash of the bytes so far (a receive journal records the prefix's digest and goes on). */
  copy(): Sha256;
}

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

let compiled: Promise<WebAssembly.Module | null> | null = null;

function wasmModule(): Promise<WebAssembly.Module | null> {
  compiled ??= WebAssembly.compile(fastestModuleBytes()).catch(() => null);
  return compiled;
}

function fastestModuleBytes(): Uint8Array<ArrayBuffer> {
  const simd = sha256ModuleBytes('simd');
  try {
    if (WebAssembly.validate(simd)) return simd;
  } catch {
    // A runtime without validate compiles nothing either; the scalar bytes then fail the same way.
  }
  return sha256ModuleBytes('scalar');
}

class WasmSha256 implements Sha256 {
  readonly #module: WebAssembly.Module;
  readonly #blocks: (ptr: number, n: number) => void;
  readonly #mem: Uint8Array;
  readonly #state: DataView;
  /** Bytes waiting in the input area for a whole block. */
  #pending = 0;
  #length = 0;
  #done = false;

  constructor(module: WebAssembly.Module) {
    this.#module = module;
    const instance = new WebAssembly.Instance(module);
    const exports = instance.exports as { memory: WebAssembly.Memory; blocks: (ptr: number, n: number) => void };
    this.#blocks = exports.blocks;
    this.#mem = new Uint8Array(exports.memory.buffer);
    this.#state = new DataView(exports.memory.buffer, STATE_OFFSET, 32);
    IV.forEach((v, i) => this.#state.setUint32(4 * i, v, true));
  }

  update(data: Uint8Array): void {
    if (this.#done) throw new Error('SHA-256: update after digest');
    this.#length += data.length;
    // Copy into the input area (fast: reused memory), compress whole blocks, keep the tail.
    for (let o = 0; o < data.length; ) {
      const take = Math.min(data.length - o, INPUT_CAPACITY - this.#pending);
      this.#mem.set(data.subarray(o, o + take), INPUT_OFFSET + this.#pending);
      this.#pending += take;
      o += take;
      const whole = this.#pending & ~63;
      if (whole === 0) continue;
      this.#blocks(INPUT_OFFSET, whole >>> 6);
      const tail = this.#pending - whole;
      if (tail) this.#mem.copyWithin(INPUT_OFFSET, INPUT_OFFSET + whole, INPUT_OFFSET + this.#pending);
      this.#pending = tail;
    }
  }

  copy(): WasmSha256 {
    if (this.#done) throw new Error('SHA-256: copy after digest');
    const c = new WasmSha256(this.#module);
    // The state words and the bytes still waiting for a whole block are all there is.
    c.#mem.set(this.#mem.subarray(STATE_OFFSET, STATE_OFFSET + 32), STATE_OFFSET);
    c.#mem.set(this.#mem.subarray(INPUT_OFFSET, INPUT_OFFSET + this.#pending), INPUT_OFFSET);
    c.#pending = this.#pending;
    c.#length = this.#length;
    return c;
  }

  digestHex(): string {
    if (this.#done) throw new Error('SHA-256: digest called twice');
    this.#done = true;
    // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit big-endian integer.
    const p = this.#pending;
    const padded = p < 56 ? 64 : 128;
    this.#mem.fill(0, INPUT_OFFSET + p, INPUT_OFFSET + padded);
    this.#mem[INPUT_OFFSET + p] = 0x80;
    const tail = new DataView(this.#mem.buffer, INPUT_OFFSET + padded - 8, 8);
    tail.setUint32(0, Math.floor(this.#length / 2 ** 29), false);
    tail.setUint32(4, (this.#length * 8) >>> 0, false);
    this.#blocks(INPUT_OFFSET, padded >>> 6);
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) view.setUint32(4 * i, this.#state.getUint32(4 * i, true), false);
    return hexEncode(out);
  }
}

class NobleSha256 implements Sha256 {
  readonly #h: ReturnType<typeof nobleSha256.create>;
  constructor(h = nobleSha256.create()) {
    this.#h = h;
  }
  update(data: Uint8Array): void {
    this.#h.update(data);
  }
  copy(): NobleSha256 {
    return new NobleSha256(this.#h.clone());
  }
  digestHex(): string {
    return hexEncode(this.#h.digest());
  }
}

export async function createSha256(): Promise<Sha256> {
  const module = await wasmModule();
  return module ? new WasmSha256(module) : new NobleSha256();
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const h = await createSha256();
  h.update(data);
  return h.digestHex();
}
