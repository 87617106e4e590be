// The tamper-evident access log, attacked the way someone with D1 access would:
// every edit, deletion, swap, insertion, truncation and forged checkpoint is
// found by the verifier and named. Real D1, real requests, real signatures.
import { env } from 'cloudflare:test';
import { chainRowFromJson, checkpointFromJson, deriveLogKey, signCheckpoint, verifyLog } from '@sealdrop/crypto';
import type { LogChainResponse, LogCheckpointsResponse, LogStatusResponse } from '@sealdrop/shared';
import { describe, expect, it } from 'vitest';
import { sealLog } from '../src/lib/logchain.ts';
import { sweep } from '../src/sweep.ts';
import { ADMIN, call, callJson, freshIp } from './helpers.ts';

const auth = `Bearer ${ADMIN}`;
const DAY = 86400_000;

async function logKey(): Promise<string> {
  const { status, body } = await callJson('GET', '/api/log/key');
  expect(status).toBe(200);
  expect(body.alg).toBe('Ed25519');
  return body.publicKey;
}

/** What `sealdrop admin log verify --server` does: every chain page, the checkpoints, the key. */
async function verifyServer() {
  const rows = [];
  for (let after = 0; ; ) {
    const page = await callJson<LogChainResponse>('GET', `/api/admin/log/chain?after=${after}&limit=500`, { auth, ip: freshIp() });
    expect(page.status).toBe(200);
    rows.push(...page.body.rows);
    if (page.body.next === null) break;
    after = page.body.next;
  }
  const cps = await callJson<LogCheckpointsResponse>('GET', '/api/admin/log/checkpoints', { auth, ip: freshIp() });
  return verifyLog(
    rows.map((r) => chainRowFromJson(r as never)),
    cps.body.checkpoints.map((c) => checkpointFromJson(c as never)),
    await logKey(),
  );
}

/** Everything sealed, then only the rows of the chain (the verify calls above write admin rows too). */
async function sealedVerdict() {
  await sealLog(env);
  const v = await verifyServer();
  return v;
}

const problems = (v: Awaited<ReturnType<typeof verifyServer>>) => v.problems.map((p) => `${p.kind}: ${p.message}`);

async function writes(n: number): Promise<void> {
  const res = await Promise.all(Array.from({ length: n }, () => call('GET', '/api/admin/stats', { auth, ip: freshIp() })));
  expect(res.map((r) => r.status)).toEqual(Array(n).fill(200));
}

async function rowAt(seq: number) {
  return (await env.DB.prepare('SELECT * FROM access_log WHERE seq = ?').bind(seq).first<Record<string, unknown>>())!;
}

async function lastSealed(): Promise<number> {
  return (await env.DB.prepare('SELECT MAX(last_seq) AS n FROM log_checkpoints').first<{ n: number }>())!.n;
}

describe('the log chain', () => {
  it('seals 200 concurrent writes, in order, with one signed checkpoint per seal, while sweeps race', async () => {
    await writes(20);
    await sealLog(env);
    const before = await lastSealed();
    // 200 writes while two seals run: each row ends up sealed exactly once.
    const [, a, b] = await Promise.all([writes(200), sealLog(env), sealLog(env).catch(() => null)]);
    await sealLog(env);
    const after = await lastSealed();
    const sealedRows = await env.DB.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d, MIN(seq) AS lo, MAX(seq) AS hi FROM access_log WHERE seq > ?')
      .bind(before)
      .first<{ n: number; d: number; lo: number; hi: number }>();
    expect(sealedRows).toEqual({ n: after - before, d: after - before, lo: before + 1, hi: after });
    expect(after - before).toBeGreaterThanOrEqual(200);
    // A seal that lost the race changed nothing (its checkpoint number was taken).
    const ns = [a, b].flatMap((s) => (s?.checkpoint ? [s.checkpoint.n] : []));
    expect(new Set(ns).size).toBe(ns.length);
    // seq order is id order.
    const { results } = await env.DB.prepare('SELECT id FROM access_log WHERE seq > ? ORDER BY seq').bind(before).all<{ id: number }>();
    expect(results.map((r) => r.id)).toEqual([...results.map((r) => r.id)].sort((x, y) => x - y));
    const v = await verifyServer();
    expect(problems(v)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.rows).toBe(after);
  });

  it('publishes the key derived from SERVER_SECRET and shows the chain state', async () => {
    expect(await logKey()).toBe(deriveLogKey(env.SERVER_SECRET!).publicKey);
    await writes(3);
    const seal = await sealLog(env);
    const { body } = await callJson<LogStatusResponse>('GET', '/api/admin/log/status', { auth, ip: freshIp() });
    expect(body.lastCheckpoint).toEqual(seal.checkpoint);
    expect(body.sealedRows).toBe(seal.checkpoint!.last);
    expect(body.unsealedRows).toBe(0); // its own admin row is written after the answer
    expect((await callJson('GET', '/api/admin/log/checkpoints')).status).toBe(401);
    expect((await callJson('GET', '/api/admin/log/chain?after=x', { auth, ip: freshIp() })).status).toBe(400);
  });

  it('names a row whose IP was edited in D1', async () => {
    await writes(5);
    const seq = (await lastSealed()) + 2;
    await sealLog(env);
    const row = await rowAt(seq);
    await env.DB.prepare('UPDATE access_log SET ip = ? WHERE seq = ?').bind('203.0.113.66', seq).run();
    expect(problems(await sealedVerdict())).toEqual([`edited: row seq ${seq} (id ${row.id}) edited: it does not hash to its stored value`]);
    await env.DB.prepare('UPDATE access_log SET ip = ? WHERE seq = ?').bind(row.ip, seq).run();
    expect(problems(await sealedVerdict())).toEqual([]);
  });

  it('names a deleted row', async () => {
    await writes(5);
    const seq = (await lastSealed()) + 3;
    await sealLog(env);
    const row = await rowAt(seq);
    await env.DB.prepare('DELETE FROM access_log WHERE seq = ?').bind(seq).run();
    expect(problems(await sealedVerdict())).toEqual([`removed: row seq ${seq} removed`]);
    const cols = Object.keys(row);
    await env.DB.prepare(`INSERT INTO access_log (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).bind(...Object.values(row)).run();
    expect(problems(await sealedVerdict())).toEqual([]);
  });

  it('names two swapped rows', async () => {
    await writes(5);
    const seq = (await lastSealed()) + 2;
    await sealLog(env);
    const [a, b] = [await rowAt(seq), await rowAt(seq + 1)];
    const swap = () =>
      env.DB.batch([
        env.DB.prepare('UPDATE access_log SET seq = -1 WHERE id = ?').bind(a.id),
        env.DB.prepare('UPDATE access_log SET seq = ? WHERE id = ?').bind(a.seq, b.id),
        env.DB.prepare('UPDATE access_log SET seq = ? WHERE id = ?').bind(b.seq, a.id),
      ]);
    await swap();
    expect(problems(await sealedVerdict())).toEqual([`reordered: rows seq ${seq} (id ${b.id}) and ${seq + 1} (id ${a.id}) reordered`]);
    await env.DB.batch([
      env.DB.prepare('UPDATE access_log SET seq = ? WHERE id = ?').bind(a.seq, a.id),
      env.DB.prepare('UPDATE access_log SET seq = ? WHERE id = ?').bind(b.seq, b.id),
    ]);
    expect(problems(await sealedVerdict())).toEqual([]);
  });

  it('names an inserted row', async () => {
    await writes(5);
    const seq = (await lastSealed()) + 2;
    await sealLog(env);
    const real = await rowAt(seq);
    // A forged download row slipped in at that place in the chain.
    const forged = await env.DB.prepare(
      `INSERT INTO access_log (share_id, event, at, ip, outcome, seq, hash) VALUES ('AAAAAAAAAAAAAAAAAAAAAA', 'download', ?, '198.51.100.7', 'ok', ?, ?) RETURNING id`,
    )
      .bind(real.at, seq, real.hash)
      .first<{ id: number }>();
    expect(problems(await sealedVerdict())).toEqual([`inserted: row id ${forged!.id} inserted at seq ${seq} (a second row with that seq)`]);
    await env.DB.prepare('DELETE FROM access_log WHERE id = ?').bind(forged!.id).run();
    expect(problems(await sealedVerdict())).toEqual([]);
  });

  it('names a truncated tail', async () => {
    await writes(6);
    await sealLog(env);
    const last = await lastSealed();
    const { results: tail } = await env.DB.prepare('SELECT * FROM access_log WHERE seq > ? ORDER BY seq').bind(last - 4).all<Record<string, unknown>>();
    await env.DB.prepare('DELETE FROM access_log WHERE seq > ?').bind(last - 4).run();
    const v = await verifyServer();
    expect(problems(v)).toEqual([`removed: rows seq ${last - 3}-${last} removed`]);
    for (const row of tail) {
      const cols = Object.keys(row);
      await env.DB.prepare(`INSERT INTO access_log (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).bind(...Object.values(row)).run();
    }
    expect(problems(await verifyServer())).toEqual([]);
  });

  it('names a replaced checkpoint, even one signed with another key', async () => {
    await writes(3);
    const { checkpoint } = await sealLog(env);
    const n = checkpoint!.n;
    const original = (await env.DB.prepare('SELECT head, sig FROM log_checkpoints WHERE n = ?').bind(n).first<{ head: string; sig: string }>())!;
    const forged = signCheckpoint({ ...checkpointFromJson(checkpoint as never), head: 'f'.repeat(64) }, deriveLogKey('an attacker secret, not the server one!').seed);
    await env.DB.prepare('UPDATE log_checkpoints SET head = ?, sig = ? WHERE n = ?').bind(forged.head, forged.sig, n).run();
    expect(problems(await sealedVerdict())).toContain(`checkpoint: checkpoint ${n}: signature does not verify with this log key (replaced or forged)`);
    await env.DB.prepare('UPDATE log_checkpoints SET head = ?, sig = ? WHERE n = ?').bind(original.head, original.sig, n).run();
    expect(problems(await sealedVerdict())).toEqual([]);
  });

  it('retention drops old rows by whole checkpoints, keeps every checkpoint, and a verifier tells it from removal', async () => {
    const t = Date.now();
    // Everything so far sealed 31 days ago, then newer rows sealed 29 days ago.
    await writes(4);
    await sealLog(env, t - 31 * DAY);
    const oldEnd = await lastSealed();
    await writes(4);
    await sealLog(env, t - 29 * DAY);
    const cpsBefore = (await env.DB.prepare('SELECT COUNT(*) AS n FROM log_checkpoints').first<{ n: number }>())!.n;
    const r = await sweep(env, t);
    expect(r.logRows).toBeGreaterThan(0);
    const left = await env.DB.prepare('SELECT MIN(seq) AS lo FROM access_log WHERE seq IS NOT NULL').first<{ lo: number }>();
    expect(left!.lo).toBe(oldEnd + 1);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM log_checkpoints').first<{ n: number }>())!.n).toBe(cpsBefore + 1);
    const v = await sealedVerdict();
    expect(problems(v)).toEqual([]);
    expect(v.retained).toBe(oldEnd);
    // Rows removed right after the retention point are named, not taken for retention.
    const row = await rowAt(oldEnd + 1);
    await env.DB.prepare('DELETE FROM access_log WHERE seq = ?').bind(oldEnd + 1).run();
    expect(problems(await sealedVerdict())).toEqual([`removed: row seq ${oldEnd + 1} removed`]);
    const cols = Object.keys(row);
    await env.DB.prepare(`INSERT INTO access_log (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).bind(...Object.values(row)).run();
    // LOG_RETENTION_DAYS is honoured: at 7 days the 29-day-old checkpoint goes too.
    expect((await sweep({ ...env, LOG_RETENTION_DAYS: '7' }, t)).logRows).toBeGreaterThan(0);
    expect(problems(await sealedVerdict())).toEqual([]);
  });

  it('exports JSON, JSON Lines and CSV that verify on their own', async () => {
    await writes(3);
    // A detail a spreadsheet would take for a formula, and one starting with the guard itself.
    await env.DB.prepare(`INSERT INTO access_log (event, at, detail, user_agent) VALUES ('admin', ?, '=cmd()', '''quoted "ua"')`).bind(Date.now()).run();
    await sealLog(env);
    const { parseLogExport } = await import('@sealdrop/crypto');
    const key = await logKey();
    for (const format of ['json', 'jsonl', 'csv']) {
      const res = await call('GET', `/api/admin/log?format=${format}&limit=10000`, { auth, ip: freshIp() });
      const text = await res.text();
      const { rows, checkpoints } = parseLogExport(text);
      const v = verifyLog(rows, checkpoints, key);
      expect(v.problems, format).toEqual([]);
      expect(v.rows, format).toBe(await lastSealed() - v.retained);
      expect(rows.every((r) => r.seq === null || /^[0-9a-f]{64}$/.test(r.hash!)), format).toBe(true);
    }
  });

  it('seals a backlog of 10,000 rows in one sweep (time printed, not asserted)', async () => {
    await sealLog(env);
    const before = await lastSealed();
    await env.DB.prepare(
      `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 10000)
       INSERT INTO access_log (share_id, event, at, ip, country, user_agent, outcome, detail)
       SELECT 'AAAAAAAAAAAAAAAAAAAAAA', 'file', ?, '192.0.2.' || (i % 250), 'DE', 'Mozilla/5.0 (X11; Linux x86_64) bench', 'ok', 'file=0 bytes=0-' || i FROM k`,
    )
      .bind(Date.now())
      .run();
    const t0 = performance.now();
    const r = await sealLog(env);
    const ms = performance.now() - t0;
    console.log(`sweep: sealed ${r.sealed} rows in ${ms.toFixed(0)} ms (${((ms / r.sealed) * 10_000).toFixed(0)} ms per 10,000 rows)`);
    expect(r.sealed).toBe(10_000);
    expect(await lastSealed()).toBe(before + 10_000);
    expect(problems(await sealedVerdict())).toEqual([]);
  });
});
