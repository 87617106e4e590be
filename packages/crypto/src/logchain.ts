// The tamper-evident access log (docs/LOG.md): the canonical row encoding, the
// hash chain h_n = SHA-256(h_{n-1} || row_n), signed checkpoints, the log key
// derived from SERVER_SECRET, and the verifier that names what was changed.
// Universal code: the worker seals with it, the CLI verifies with it.
import { ed25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { b64uDecode, b64uEncode, concatBytes, utf8Encode } from './encoding.ts';

/** One access-log row as the chain sees it (`at` in ms since the epoch). */
export interface ChainRow {
  seq: number | null;
  hash: string | null;
  id: number;
  at: number;
  shareId: string | null;
  event: string;
  ip: string | null;
  country: string | null;
  userAgent: string | null;
  outcome: string | null;
  detail: string | null;
  tokenId: string | null;
}

/** A signed checkpoint (`at` in ms; hashes lowercase hex; sig base64url). */
export interface Checkpoint {
  n: number;
  first: number;
  last: number;
  count: number;
  head: string;
  prev: string;
  at: number;
  retained: number;
  sig: string;
}

export const ZERO_HASH = '0'.repeat(64);
const ROW_TAG = utf8Encode('sealdrop/v1 log row\n');
const CHECKPOINT_TAG = utf8Encode('sealdrop/v1 log checkpoint\n');

function hexOf(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function bytesOfHex(h: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(h)) throw new Error('not a 32-byte lowercase hex hash');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function u64(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative safe integer: ${n}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** NULL and the empty string are one value (CSV cannot tell them apart). */
function text(s: string | null): Uint8Array {
  if (s == null || s === '') return new Uint8Array([0]);
  const b = utf8Encode(s);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, b.length);
  return concatBytes(new Uint8Array([1]), len, b);
}

/** The canonical encoding of a row: what h_n commits to (the seq is its place in the chain). */
export function encodeLogRow(r: ChainRow): Uint8Array {
  return concatBytes(
    ROW_TAG,
    u64(r.id),
    u64(r.at),
    text(r.event),
    text(r.shareId),
    text(r.ip),
    text(r.country),
    text(r.userAgent),
    text(r.outcome),
    text(r.detail),
    text(r.tokenId),
  );
}

/** h_n = SHA-256(h_{n-1} || encodeLogRow(row_n)), hex. */
export function chainHash(prev: string, r: ChainRow): string {
  return hexOf(sha256(concatBytes(bytesOfHex(prev), encodeLogRow(r))));
}

/** The bytes a checkpoint's signature covers. */
export function encodeCheckpoint(c: Omit<Checkpoint, 'sig'>): Uint8Array {
  return concatBytes(
    CHECKPOINT_TAG,
    u64(c.n),
    u64(c.first),
    u64(c.last),
    u64(c.count),
    bytesOfHex(c.head),
    bytesOfHex(c.prev),
    u64(c.at),
    u64(c.retained),
  );
}

/** What the next checkpoint's `prev` holds: SHA-256 of this one's signed bytes. */
export function checkpointHash(c: Omit<Checkpoint, 'sig'>): string {
  return hexOf(sha256(encodeCheckpoint(c)));
}

/** The log signing seed: HKDF-SHA-256 of SERVER_SECRET under its own label. */
export function deriveLogKey(serverSecret: string): { seed: Uint8Array; publicKey: string } {
  const prk = extract(sha256, utf8Encode(serverSecret), utf8Encode('sealdrop/v1'));
  const seed = expand(sha256, prk, utf8Encode('sealdrop/v1 server log signing key'), 32);
  return { seed, publicKey: b64uEncode(ed25519.getPublicKey(seed)) };
}

export function signCheckpoint(c: Omit<Checkpoint, 'sig'>, seed: Uint8Array): Checkpoint {
  return { ...c, sig: b64uEncode(ed25519.sign(encodeCheckpoint(c), seed)) };
}

export function checkpointSignatureValid(c: Checkpoint, publicKey: string): boolean {
  try {
    return ed25519.verify(b64uDecode(c.sig, 64), encodeCheckpoint(c), b64uDecode(publicKey, 32), { zip215: false });
  } catch {
    return false;
  }
}

export type LogProblemKind = 'edited' | 'inserted' | 'reordered' | 'removed' | 'checkpoint';
export interface LogProblem {
  kind: LogProblemKind;
  message: string;
}

export interface LogVerdict {
  ok: boolean;
  /** Sealed rows checked. */
  rows: number;
  checkpoints: number;
  /** Rows dropped by retention (seq 1..retained), proven by signed checkpoints. */
  retained: number;
  /** Rows written since the last seal (verified by the next checkpoint). */
  unsealed: number;
  problems: LogProblem[];
}

const range = (a: number, b: number) => (a === b ? `row seq ${a}` : `rows seq ${a}-${b}`);

/**
 * Re-computes the chain from the last retention point, checks every checkpoint's
 * signature, links and head, and names each row that was edited, inserted,
 * reordered or removed. `rows` and `checkpoints` in any order.
 */
export function verifyLog(rows: ChainRow[], checkpoints: Checkpoint[], publicKey: string): LogVerdict {
  const problems: LogProblem[] = [];
  const add = (kind: LogProblemKind, message: string) => problems.push({ kind, message });

  // 1. Checkpoints: signatures, numbering, links, contiguous ranges.
  const cps = [...checkpoints].sort((a, b) => a.n - b.n);
  const trusted: Checkpoint[] = [];
  let expectN = 1;
  let prevCp: Checkpoint | null = null;
  for (const c of cps) {
    if (c.n > expectN) add('checkpoint', expectN === c.n - 1 ? `checkpoint ${expectN} removed` : `checkpoints ${expectN}-${c.n - 1} removed`);
    else if (c.n < expectN) add('checkpoint', `checkpoint ${c.n} appears twice`);
    expectN = c.n + 1;
    if (!checkpointSignatureValid(c, publicKey)) {
      add('checkpoint', `checkpoint ${c.n}: signature does not verify with this log key (replaced or forged)`);
      prevCp = null;
      continue;
    }
    if (prevCp && prevCp.n === c.n - 1) {
      if (c.prev !== checkpointHash(prevCp)) add('checkpoint', `checkpoint ${c.n} does not follow checkpoint ${prevCp.n} (its prev hash differs)`);
      if (c.first !== prevCp.last + 1) add('checkpoint', `checkpoint ${c.n} starts at seq ${c.first}, checkpoint ${prevCp.n} ended at ${prevCp.last}`);
      if (c.retained < prevCp.retained) add('checkpoint', `checkpoint ${c.n}: retention point went back`);
    } else if (c.n === 1 && (c.prev !== ZERO_HASH || c.first !== 1)) {
      add('checkpoint', 'checkpoint 1 does not start the chain');
    }
    trusted.push(c);
    prevCp = c;
  }
  const lastCp = trusted[trusted.length - 1];
  const retained = lastCp?.retained ?? 0;
  const covered = lastCp?.last ?? 0;
  // The head at the retention point: the checkpoint that ended there.
  let startHead: string | null = retained === 0 ? ZERO_HASH : (trusted.find((c) => c.last === retained)?.head ?? null);
  if (startHead === null) add('checkpoint', `no signed checkpoint ends at the retention point (seq ${retained})`);

  // 2. Rows by seq; unsealed rows must all be newer than every sealed one.
  const sealed = rows.filter((r) => r.seq != null).sort((a, b) => a.seq! - b.seq! || a.id - b.id);
  const unsealed = rows.filter((r) => r.seq == null);
  const maxSealedId = sealed.reduce((m, r) => Math.max(m, r.id), 0);
  for (const r of unsealed) if (r.id < maxSealedId) add('inserted', `row id ${r.id} inserted: not sealed, yet older than sealed rows`);
  const bySeq = new Map<number, ChainRow[]>();
  for (const r of sealed) {
    if (r.seq! <= retained) continue; // a dropped row still in an old export: nothing to check
    if (r.seq! > covered) {
      add('inserted', `row seq ${r.seq} (id ${r.id}) inserted: sealed but beyond the last signed checkpoint (seq ${covered})`);
      continue;
    }
    bySeq.set(r.seq!, [...(bySeq.get(r.seq!) ?? []), r]);
  }

  // 3. One row per seq: of several claiming a seq, the one that links is genuine.
  const chosen: ChainRow[] = [];
  for (let seq = retained + 1, prev: string | null = startHead; seq <= covered; seq++) {
    const here = bySeq.get(seq) ?? [];
    const row = (prev !== null && here.find((r) => chainHash(prev!, r) === r.hash)) || here.sort((a, b) => a.id - b.id)[0];
    for (const extra of here) if (extra !== row) add('inserted', `row id ${extra.id} inserted at seq ${seq} (a second row with that seq)`);
    if (row) chosen.push(row);
    prev = row?.hash ?? null;
  }
  const named = new Set<number>();
  const name = (kind: LogProblemKind, seqs: number[], message: string) => {
    add(kind, message);
    for (const s of seqs) named.add(s);
  };
  for (const r of chosen) if (bySeq.get(r.seq!)!.length > 1) named.add(r.seq!);

  // 4. Removed rows are the holes in the seq range.
  for (let i = 0, expect = retained + 1; i <= chosen.length; i++) {
    const next = i < chosen.length ? chosen[i].seq! : covered + 1;
    if (next > expect) name('removed', [next], `${range(expect, next - 1)} removed`);
    expect = next + 1;
  }

  // 5. The sweep seals in id order, so seq order and id order agree; where they
  // do not, rows were reordered. Links are checked in id order (each row against
  // the stored hash of the row sealed before it), so one edit names one row.
  for (let i = 1; i < chosen.length; i++) {
    const [a, b] = [chosen[i - 1], chosen[i]];
    if (b.id < a.id) name('reordered', [a.seq!, b.seq!], `rows seq ${a.seq} (id ${a.id}) and ${b.seq} (id ${b.id}) reordered`);
  }
  const present = new Set(chosen.map((r) => r.seq!));
  const byId = [...chosen].sort((a, b) => a.id - b.id);
  for (let i = 0; i < byId.length; i++) {
    const r = byId[i];
    const pred = byId[i - 1];
    if (r.seq! - 1 > retained && !present.has(r.seq! - 1)) continue; // the hole is already named
    const prev = pred ? pred.hash : r.seq === retained + 1 ? startHead : null;
    if (prev === null) continue;
    if (chainHash(prev, r) === r.hash) continue;
    const before = byId[i - 2]?.hash ?? (i === 1 ? startHead : null);
    if (pred && before !== null && chainHash(before, r) === r.hash) {
      name('inserted', [pred.seq!], `row seq ${pred.seq} (id ${pred.id}) inserted: the chain goes from the row before it straight to seq ${r.seq}`);
    } else if (!named.has(r.seq!)) {
      name('edited', [r.seq!], `row seq ${r.seq} (id ${r.id}) edited: it does not hash to its stored value`);
    }
  }

  // 6. The running hash in seq order against every signed head; a range that
  // fails with no row named was rewritten with recomputed hashes.
  let computed: string | null = startHead;
  let k = 0;
  for (const cp of trusted) {
    if (cp.last <= retained) continue;
    let dirty = false;
    for (; k < chosen.length && chosen[k].seq! <= cp.last; k++) {
      const r = chosen[k];
      if (named.has(r.seq!)) dirty = true;
      computed = computed === null ? null : chainHash(computed, r);
    }
    const holes = chosen.filter((r) => r.seq! >= cp.first && r.seq! <= cp.last).length !== cp.count;
    if (computed !== cp.head && !dirty && !holes) {
      add('edited', `rows seq ${cp.first}-${cp.last} rewritten with recomputed hashes: they do not hash to checkpoint ${cp.n}'s head`);
    }
    computed = cp.head; // the next range is checked from this signed head
  }
  return { ok: problems.length === 0, rows: chosen.length, checkpoints: cps.length, retained, unsealed: unsealed.length, problems };
}
