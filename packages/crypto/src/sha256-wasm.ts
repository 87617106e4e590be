// SHA-256 (FIPS 180-4) compression as WebAssembly modules that this file
// writes byte by byte at startup: no toolchain, no binary in the repository.
//
// Why: WASM has no SHA instructions, and hash-wasm's SHA-256 loops over its
// rounds and loads bytes one at a time (about 110 MB/s here, a third of native
// scalar code). These modules unroll all 64 rounds, rename the eight working
// variables instead of moving them, and load whole big-endian words, which
// roughly doubles the speed of the one thing an upload cannot parallelise: the
// streaming hash of each file.
//
// The rounds are bound by their dependency chains, so each round is written
// for a short critical path: Σ as three independent rotations, and the sums
// grouped so that only Σ1(e) and Σ0(a) wait for the previous round.
//
// Two variants with one interface: `simd` computes the message schedule four
// words at a time with 128-bit SIMD (the byte swap is one shuffle), each group
// a little ahead of the rounds that take it, in v128 locals (a schedule stored
// to memory first and loaded by the rounds was slower than the scalar one);
// `scalar`, for runtimes without WASM SIMD, keeps the schedule in 16 locals.
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
// Fixed-width SIMD opcodes (after the 0xfd prefix, as LEB128).
const SIMD = {
  load: [0x00], const: [0x0c], shuffle: [0x0d], extractLane: [0x1b],
  xor: [0x51], shl: [0xab, 0x01], shrU: [0xad, 0x01], add: [0xae, 0x01],
} as const;
const VOID = 0x40;
const I32 = 0x7f;
const V128 = 0x7b;

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
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** A function body's instructions, written one helper call at a time. */
class Code {
  readonly bytes: number[] = [];
  op(...ops: number[]): void {
    this.bytes.push(...ops);
  }
  get(l: number): void {
    this.op(OP.get, l);
  }
  set(l: number): void {
    this.op(OP.set, l);
  }
  i32(v: number): void {
    this.op(OP.const, ...sleb(v));
  }
  rotr(l: number, r: number): void {
    this.get(l), this.i32(r), this.op(OP.rotr);
  }
  simd(op: readonly number[], ...imm: number[]): void {
    this.op(0xfd, ...op, ...imm);
  }
  /** v128.const of four i32 lanes. */
  v128(lanes: number[]): void {
    this.simd(SIMD.const, ...lanes.flatMap(le32));
  }
  /** i8x16.shuffle of the two vectors on the stack, as 32-bit lanes (0-3 the first, 4-7 the second). */
  shuffle32(lanes: number[]): void {
    this.simd(SIMD.shuffle, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
}

// Locals of `blocks` shared by both variants: 0 ptr, 1 n (parameters); 2-9
// the state H0..H7; 10-17 the working variables; 18 T1; 19 and 20 a ^ b of
// this round and the last (the next round's b ^ c); 21 h + W[t] + K[t] + Ch;
// 22 Σ1(e). The schedule's locals follow.
const P = 0, N = 1, H = 2, V = 10, T1 = 18, AB = [19, 20] as const, XL = 21, S1 = 22;
const SHARED_LOCALS = S1 + 1;

/** The 64 rounds; `wk(t)` pushes W[t] + K[t] and may first extend the schedule. */
function rounds(c: Code, wk: (t: number) => void): void {
  for (let t = 0; t < 64; t++) {
    // Role r (0 = a ... 7 = h) lives in local V + (r - t) mod 8, so a round writes only d and h.
    const [a, b, , d, e, f, g, h] = Array.from({ length: 8 }, (_, r) => V + ((((r - t) % 8) + 8) % 8));
    // X = h + W[t] + K[t] + Ch(e, f, g), with Ch = g ^ (e & (f ^ g))
    c.get(h), wk(t), c.op(OP.add);
    c.get(f), c.get(g), c.op(OP.xor), c.get(e), c.op(OP.and), c.get(g), c.op(OP.xor, OP.add), c.set(XL);
    // S1 = Σ1(e)
    c.rotr(e, 6), c.rotr(e, 11), c.op(OP.xor), c.rotr(e, 25), c.op(OP.xor), c.set(S1);
    c.get(S1), c.get(XL), c.op(OP.add), c.set(T1); // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t]
    // e' = S1 + (X + d)
    c.get(d), c.get(XL), c.op(OP.add), c.get(S1), c.op(OP.add), c.set(d);
    // a' = Σ0(a) + (Maj(a, b, c) + T1), Maj = b ^ ((a ^ b) & (b ^ c))
    c.get(b), c.get(a), c.get(b), c.op(OP.xor, OP.tee, AB[t % 2]!), c.get(AB[(t + 1) % 2]!), c.op(OP.and, OP.xor), c.get(T1), c.op(OP.add);
    c.rotr(a, 2), c.rotr(a, 13), c.op(OP.xor), c.rotr(a, 22), c.op(OP.xor, OP.add), c.set(h);
  }
}

/** The scalar variant's W[t] + K[t]: the rolling schedule W[t mod 16] in locals W..W+15. */
function scalarSchedule(c: Code, W: number): (t: number) => void {
  // σ(x) = rotr(x, r0) ^ rotr(x, r1) ^ (x >>> s) as rotr(x ^ rotr(x, r1 - r0), r0) ^ (x >>> s).
  const smallSigma = (l: number, r: [number, number], s: number) => (
    c.get(l), c.rotr(l, r[1] - r[0]), c.op(OP.xor), c.i32(r[0]), c.op(OP.rotr), c.get(l), c.i32(s), c.op(OP.shrU, OP.xor)
  );
  // W[0..15]: little-endian loads turned big-endian: rotr(x,8)&0xff00ff00 | rotl(x,8)&0x00ff00ff.
  for (let i = 0; i < 16; i++) {
    c.get(P), c.op(OP.load, 2, ...uleb(4 * i)), c.set(W + i);
    c.get(W + i), c.i32(8), c.op(OP.rotr), c.i32(0xff00ff00), c.op(OP.and);
    c.get(W + i), c.i32(8), c.op(OP.rotl), c.i32(0x00ff00ff), c.op(OP.and, OP.or);
    c.set(W + i);
  }
  return (t) => {
    const w = W + (t % 16);
    if (t >= 16) {
      // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]
      c.get(w);
      smallSigma(W + ((t - 15) % 16), [7, 18], 3), c.op(OP.add);
      c.get(W + ((t - 7) % 16)), c.op(OP.add);
      smallSigma(W + ((t - 2) % 16), [17, 19], 10), c.op(OP.add);
      c.set(w);
    }
    c.get(w), c.i32(K[t]!), c.op(OP.add);
  };
}

/**
 * The simd variant's W[t] + K[t]: group g of the schedule (W[4g..4g+3]) in
 * v128 local X + g mod 4 (rolling: a group needs the four before it) and its
 * W + K in WK + g mod 4; each round takes its lane. S and T are v128
 * temporaries.
 */
function simdSchedule(c: Code, X: number): (t: number) => void {
  const WK = X + 4, S = X + 8, T = X + 9;
  const ZERO = [0, 0, 0, 0];
  // x >>> s ^ x >>> r0 ^ x << (32 - r0) ^ x >>> r1 ^ x << (32 - r1): σ0 or σ1 of the four lanes of S.
  const sigma = (r0: number, r1: number, s: number) => {
    c.get(S), c.i32(s), c.simd(SIMD.shrU);
    for (const r of [r0, r1]) {
      c.get(S), c.i32(r), c.simd(SIMD.shrU), c.simd(SIMD.xor);
      c.get(S), c.i32(32 - r), c.simd(SIMD.shl), c.simd(SIMD.xor);
    }
  };
  const group = (g: number) => {
    const x0 = X + (g % 4);
    if (g < 4) {
      // W[4g..4g+3]: a little-endian load, byte-swapped per word by one shuffle.
      c.get(P), c.simd(SIMD.load, 4, ...uleb(16 * g)), c.op(OP.tee, x0), c.get(x0);
      c.simd(SIMD.shuffle, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12), c.set(x0);
    } else {
      // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16] for t = 4g..4g+3
      const [x1, x2, x3] = [1, 2, 3].map((i) => X + ((g + i) % 4)) as [number, number, number];
      // T = W[t-16..] + σ0(W[t-15..]) + W[t-7..]
      c.get(x0), c.get(x1), c.shuffle32([1, 2, 3, 4]), c.set(S);
      sigma(7, 18, 3), c.get(x0), c.simd(SIMD.add);
      c.get(x2), c.get(x3), c.shuffle32([1, 2, 3, 4]), c.simd(SIMD.add), c.set(T);
      // W[t], W[t+1] take σ1(W[t-2]), σ1(W[t-1]) (lanes 2, 3 of the last group); σ1(0) = 0 in the other lanes.
      c.get(x3), c.v128(ZERO), c.shuffle32([2, 3, 4, 5]), c.set(S);
      sigma(17, 19, 10), c.get(T), c.simd(SIMD.add), c.set(T);
      // W[t+2], W[t+3] take σ1(W[t]), σ1(W[t+1]), just made.
      c.get(T), c.v128(ZERO), c.shuffle32([4, 5, 0, 1]), c.set(S);
      sigma(17, 19, 10), c.get(T), c.simd(SIMD.add), c.set(x0);
    }
    c.get(x0), c.v128(K.slice(4 * g, 4 * g + 4)), c.simd(SIMD.add), c.set(WK + (g % 4));
  };
  // Each group is made one group ahead of the rounds that take it: the vector work
  // then overlaps the rounds of the group before (Chromium: ~540 -> ~700 MB/s).
  return (t) => {
    if (t === 0) group(0), group(1);
    else if (t % 4 === 0 && t < 60) group(t / 4 + 1);
    c.get(WK + ((t >> 2) % 4)), c.simd(SIMD.extractLane, t % 4);
  };
}

/** The body of `blocks(ptr, n)`. */
function blocksBody(simd: boolean): number[] {
  const c = new Code();
  c.op(OP.block, VOID);
  c.get(N), c.op(OP.eqz, OP.brIf, 0);
  for (let i = 0; i < 8; i++) c.i32(STATE_OFFSET), c.op(OP.load, 2, ...uleb(4 * i)), c.set(H + i);
  c.op(OP.loop, VOID);
  for (let i = 0; i < 8; i++) c.get(H + i), c.set(V + i);
  c.get(V + 1), c.get(V + 2), c.op(OP.xor), c.set(AB[1]); // b ^ c for round 0
  rounds(c, simd ? simdSchedule(c, SHARED_LOCALS) : scalarSchedule(c, SHARED_LOCALS));
  // After 64 rounds (a multiple of 8) every role is back in its own local.
  for (let i = 0; i < 8; i++) c.get(H + i), c.get(V + i), c.op(OP.add), c.set(H + i);
  c.get(P), c.i32(64), c.op(OP.add), c.set(P);
  c.get(N), c.i32(1), c.op(OP.sub), c.set(N);
  c.get(N), c.op(OP.brIf, 0);
  c.op(OP.end);
  for (let i = 0; i < 8; i++) c.i32(STATE_OFFSET), c.get(H + i), c.op(OP.store, 2, ...uleb(4 * i));
  c.op(OP.end, OP.end);
  const locals = simd
    ? vec([[...uleb(SHARED_LOCALS - 2), I32], [10, V128]])
    : vec([[...uleb(SHARED_LOCALS - 2 + 16), I32]]);
  const body = [...locals, ...c.bytes];
  return [...uleb(body.length), ...body];
}

/** The module's bytes: `simd` for runtimes with WASM SIMD (check with WebAssembly.validate), `scalar` for the rest. */
export function sha256ModuleBytes(variant: 'simd' | 'scalar'): Uint8Array<ArrayBuffer> {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32]]), 0]])), // type 0: (i32, i32) -> ()
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(5, vec([[0x00, ...uleb(MEMORY_PAGES)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('blocks'), 0x00, 0]])),
    ...section(10, vec([blocksBody(variant === 'simd')])),
  ];
  return new Uint8Array(bytes);
}
