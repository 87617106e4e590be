// The log verifier on chains built here: every tampering is named, an intact
// chain (and one shortened by retention) passes.
import { describe, expect, it } from 'vitest';
import { chainHash, checkpointHash, deriveLogKey, signCheckpoint, verifyLog, ZERO_HASH, type ChainRow, type Checkpoint } from '../src/index.ts';

const key = deriveLogKey('unit-test-server-secret-0123456789abcdef');
const other = deriveLogKey('another-server-secret-0123456789abcdef!!');

function build(n: number, per: number, retainedCps = 0): { rows: ChainRow[]; cps: Checkpoint[] } {
  const rows: ChainRow[] = [];
  const cps: Checkpoint[] = [];
  let head = ZERO_HASH;
  let prev: Checkpoint | null = null;
  for (let i = 1; i <= n; i++) {
    const r: ChainRow = { seq: i, hash: null, id: i + 10, at: 1_700_000_000_000 + i, shareId: 'AAAAAAAAAAAAAAAAAAAAAA', event: 'download', ip: `10.0.0.${i}`, country: 'DE', userAgent: 'ua', outcome: 'ok', detail: i % 2 ? null : 'd', tokenId: null };
    head = chainHash(head, r);
    r.hash = head;
    rows.push(r);
    if (i % per === 0 || i === n) {
      const first = prev ? prev.last + 1 : 1;
      const retained = cps.length >= retainedCps && retainedCps > 0 ? cps[retainedCps - 1].last : 0;
      const c: Checkpoint = signCheckpoint({ n: cps.length + 1, first, last: i, count: i - first + 1, head, prev: prev ? checkpointHash(prev) : ZERO_HASH, at: 1_700_000_000_000 + i, retained }, key.seed);
      cps.push(c);
      prev = c;
    }
  }
  return { rows, cps };
}

const messages = (rows: ChainRow[], cps: Checkpoint[], pub = key.publicKey) => verifyLog(rows, cps, pub).problems.map((p) => `${p.kind}: ${p.message}`);

describe('verifyLog', () => {
  it('passes an intact chain and counts it', () => {
    const { rows, cps } = build(25, 10);
    const v = verifyLog(rows, cps, key.publicKey);
    expect(v).toMatchObject({ ok: true, rows: 25, checkpoints: 3, retained: 0, problems: [] });
  });

  it('names an edited row', () => {
    const { rows, cps } = build(25, 10);
    rows[12].ip = '6.6.6.6';
    expect(messages(rows, cps)).toEqual(['edited: row seq 13 (id 23) edited: it does not hash to its stored value']);
  });

  it('names a removed row and a truncated tail', () => {
    const { rows, cps } = build(25, 10);
    expect(messages(rows.filter((r) => r.seq !== 7), cps)).toEqual(['removed: row seq 7 removed']);
    expect(messages(rows.slice(0, 21), cps)).toEqual(['removed: rows seq 22-25 removed']);
  });

  it('names reordered rows', () => {
    const { rows, cps } = build(25, 10);
    [rows[4].seq, rows[5].seq] = [6, 5];
    expect(messages(rows, cps)).toEqual(['reordered: rows seq 5 (id 16) and 6 (id 15) reordered']);
  });

  it('names an inserted row', () => {
    const { rows, cps } = build(25, 10);
    const fake = { ...rows[8], id: 99, ip: '6.6.6.6' };
    expect(messages([...rows, fake], cps)).toEqual(['inserted: row id 99 inserted at seq 9 (a second row with that seq)']);
    const beyond = { ...rows[24], id: 100, seq: 26, hash: chainHash(rows[24].hash!, { ...rows[24], id: 100 }) };
    expect(messages([...rows, beyond], cps)).toEqual(['inserted: row seq 26 (id 100) inserted: sealed but beyond the last signed checkpoint (seq 25)']);
  });

  it('names a rewritten range whose hashes were recomputed', () => {
    const { rows, cps } = build(25, 10);
    rows[12].ip = '6.6.6.6';
    for (let i = 12; i < rows.length; i++) rows[i].hash = chainHash(rows[i - 1].hash!, rows[i]);
    // Only the range holding the edit is named: 21-25 still hash to checkpoint 3 from checkpoint 2's head.
    expect(messages(rows, cps)).toEqual(["edited: rows seq 11-20 rewritten with recomputed hashes: they do not hash to checkpoint 2's head"]);
  });

  it('names a replaced or removed checkpoint', () => {
    const { rows, cps } = build(25, 10);
    const forged = signCheckpoint({ ...cps[1], head: ZERO_HASH }, other.seed);
    expect(messages(rows, [cps[0], forged, cps[2]])).toContain('checkpoint: checkpoint 2: signature does not verify with this log key (replaced or forged)');
    expect(messages(rows, [cps[0], cps[2]])[0]).toBe('checkpoint: checkpoint 2 removed');
  });

  it('tells retention from removal', () => {
    const { rows, cps } = build(25, 10, 1);
    // Retention dropped seq 1-10 (checkpoint 1); the later checkpoints say so.
    const v = verifyLog(rows.slice(10), cps, key.publicKey);
    expect(v).toMatchObject({ ok: true, retained: 10, rows: 15 });
    expect(messages(rows.slice(12), cps)).toEqual(['removed: rows seq 11-12 removed']);
    const none = build(25, 10);
    expect(messages(none.rows.slice(10), none.cps)).toEqual(['removed: rows seq 1-10 removed']);
  });

  it('refuses another key', () => {
    const { rows, cps } = build(5, 10);
    expect(verifyLog(rows, cps, other.publicKey).ok).toBe(false);
  });
});
