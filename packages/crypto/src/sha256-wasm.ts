// SHA-256 (FIPS 180-4) compression as a WebAssembly module that this file
// writes byte by byte at startup: no toolchain, no binary in the repository.
//
// Why: WASM has no SHA instructions, and hash-wasm's SHA-256 loops over its
// rounds and loads bytes one at a time (about 110 MB/s here, a third of native
// scalar code). This module unrolls all 64 rounds, renames the eight working
// variables instead of moving them, and loads whole big-endian words, which
// roughly doubles the speed of the one thing an upload cannot parallelise: the
// streaming hash of each file.
//
// Module: memory (exported, MEMORY_PAGES pages) holds the eight state words at
// byte 0 and the input at INPUT_OFFSET; `blocks(ptr, n)` compresses n 64-byte
// blocks starting at ptr into the state.

export const STATE_OFFSET = 0;
export const INPUT_OFFSET = 64;
/** Input bytes the module takes per call (a multiple of 64). */
export const INPUT_CAPACITY = 1 << 20;
const MEMORY_PAGES = Math.ceil((INPUT_OFFSET + INPUT_CAPACITY) / 65536);

// prettier-ignore
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

// Opcodes of the WebAssembly MVP used below.
const OP = {
  block: 0x02, loop: 0x03, end: 0x0b, brIf: 0x0d,
  get: 0x20, set: 0x21, tee: 0x22,
  load: 0x28, store: 0x36, const: 0x41,
  eqz: 0x45, add: 0x6a, sub: 0x6b, and: 0x71, or: 0x72, xor: 0x73, shrU: 0x76, rotl: 0x77, rotr: 0x78,
} as const;
const VOID = 0x40;
const I32 = 0x7f;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  n |= 0;
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** The body of `blocks(ptr, n)`. */
function blocksBody(): number[] {
  // Locals: 0 ptr, 1 n (parameters); 2-9 the state H0..H7; 10-17 the working
  // variables; 18-33 the rolling message schedule W[t mod 16]; 34 T1; 35 and
  // 36 a ^ b of this round and the last (the next round's b ^ c).
  const P = 0, N = 1, H = 2, V = 10, W = 18, T1 = 34, AB = [35, 36];
  const c: number[] = [];
  const get = (l: number) => c.push(OP.get, l);
  const set = (l: number) => c.push(OP.set, l);
  const i32 = (v: number) => c.push(OP.const, ...sleb(v));
  const op = (...ops: number[]) => c.push(...ops);
  const rotr = (l: number, r: number) => (get(l), i32(r), op(OP.rotr));
  // Σ/σ functions leave their value on the stack.
  // Σ(x) = rotr(x, r0) ^ rotr(x, r1) ^ rotr(x, r2) as rotr(x ^ rotr(x ^ rotr(x, r2 - r1), r1 - r0), r0):
  // one live temporary, so fewer register moves in the compiled code.
  const bigSigma = (l: number, r: [number, number, number]) => (
    get(l), rotr(l, r[2] - r[1]), op(OP.xor), i32(r[1] - r[0]), op(OP.rotr), get(l), op(OP.xor), i32(r[0]), op(OP.rotr)
  );
  // σ(x) = rotr(x, r0) ^ rotr(x, r1) ^ (x >>> s) as rotr(x ^ rotr(x, r1 - r0), r0) ^ (x >>> s).
  const smallSigma = (l: number, r: [number, number], s: number) => (
    get(l), rotr(l, r[1] - r[0]), op(OP.xor), i32(r[0]), op(OP.rotr), get(l), i32(s), op(OP.shrU, OP.xor)
  );

  c.push(OP.block, VOID);
  get(N), op(OP.eqz, OP.brIf, 0);
  for (let i = 0; i < 8; i++) i32(STATE_OFFSET), c.push(OP.load, 2, ...uleb(4 * i)), set(H + i);
  c.push(OP.loop, VOID);
  for (let i = 0; i < 8; i++) get(H + i), set(V + i);
  get(V + 1), get(V + 2), op(OP.xor), set(AB[1]!); // b ^ c for round 0
  // W[0..15]: little-endian loads turned big-endian: rotr(x,8)&0xff00ff00 | rotl(x,8)&0x00ff00ff.
  for (let i = 0; i < 16; i++) {
    get(P), c.push(OP.load, 2, ...uleb(4 * i)), set(W + i);
    get(W + i), i32(8), op(OP.rotr), i32(0xff00ff00), op(OP.and);
    get(W + i), i32(8), op(OP.rotl), i32(0x00ff00ff), op(OP.and, OP.or);
    set(W + i);
  }
  for (let t = 0; t < 64; t++) {
    // Role r (0 = a ... 7 = h) lives in local V + (r - t) mod 8, so a round writes only d and h.
    const [a, b, , d, e, f, g, h] = Array.from({ length: 8 }, (_, r) => V + (((r - t) % 8) + 8) % 8);
    const w = W + (t % 16);
    if (t >= 16) {
      // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]
      get(w);
      smallSigma(W + ((t - 15) % 16), [7, 18], 3), op(OP.add);
      get(W + ((t - 7) % 16)), op(OP.add);
      smallSigma(W + ((t - 2) % 16), [17, 19], 10), op(OP.add);
      set(w);
    }
    // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t], with Ch = g ^ (e & (f ^ g))
    get(h);
    bigSigma(e, [6, 11, 25]), op(OP.add);
    get(g), get(e), get(f), get(g), op(OP.xor, OP.and, OP.xor, OP.add);
    i32(K[t]!), op(OP.add);
    get(w), op(OP.add);
    set(T1);
    get(d), get(T1), op(OP.add), set(d);
    // h = T1 + Σ0(a) + Maj(a, b, c), with Maj = b ^ ((a ^ b) & (b ^ c)); b ^ c is the last round's a ^ b
    get(T1);
    bigSigma(a, [2, 13, 22]), op(OP.add);
    get(b), get(a), get(b), op(OP.xor), c.push(OP.tee, AB[t % 2]!), get(AB[(t + 1) % 2]!), op(OP.and, OP.xor, OP.add);
    set(h);
  }
  // After 64 rounds (a multiple of 8) every role is back in its own local.
  for (let i = 0; i < 8; i++) get(H + i), get(V + i), op(OP.add), set(H + i);
  get(P), i32(64), op(OP.add), set(P);
  get(N), i32(1), op(OP.sub), set(N);
  get(N), op(OP.brIf, 0);
  c.push(OP.end);
  for (let i = 0; i < 8; i++) i32(STATE_OFFSET), get(H + i), c.push(OP.store, 2, ...uleb(4 * i));
  c.push(OP.end, OP.end);
  const locals = vec([[...uleb(AB[1]! - 1), I32]]);
  const body = [...locals, ...c];
  return [...uleb(body.length), ...body];
}

/** The module's bytes. */
export function sha256ModuleBytes(): Uint8Array<ArrayBuffer> {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32]]), 0]])), // type 0: (i32, i32) -> ()
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(5, vec([[0x00, ...uleb(MEMORY_PAGES)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('blocks'), 0x00, 0]])),
    ...section(10, vec([blocksBody()])),
  ];
  return new Uint8Array(bytes);
}
