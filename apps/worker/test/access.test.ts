import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { makeChallenge } from '../src/lib/challenge.ts';
import {
  access,
  callJson,
  challenge,
  download,
  freshIp,
  getFile,
  newKeys,
  owner,
  readyShare,
  shareRow,
  signBody,
  tableCounts,
  type Keys,
} from './helpers.ts';

/** Right link key, wrong access key: what a recipient with a wrong password sends. */
const wrongPassword = (k: Keys): Keys => ({ ...newKeys(), linkSeed: k.linkSeed, linkPub: k.linkPub });

async function backoffRows(id: string) {
  return (await env.DB.prepare('SELECT failures, last_at FROM backoff WHERE share_id = ?').bind(id).all()).results as {
    failures: number;
    last_at: number;
  }[];
}
const age = (id: string, ms: number) => env.DB.prepare('UPDATE backoff SET last_at = last_at - ? WHERE share_id = ?').bind(ms, id).run();

describe('passwords', () => {
  it('answers 403 five times, then backs off with Retry-After doubling; the right password resets it', async () => {
    const s = await readyShare({ password: true });
    const ip = freshIp();
    const bad = wrongPassword(s.keys);
    for (let k = 0; k < 5; k++) {
      const r = await access(s, 'download', { keys: bad, ip });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    const limited = await access(s, 'download', { keys: bad, ip });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.res.headers.get('Retry-After')).toBe('2');
    // Even the right password waits out the window.
    expect((await access(s, 'download', { ip })).status).toBe(429);
    // Another address has its own count.
    expect((await access(s, 'manifest', { ip: freshIp() })).status).toBe(200);

    await age(s.id, 2500);
    expect((await access(s, 'download', { keys: bad, ip })).status).toBe(403);
    const next = await access(s, 'download', { keys: bad, ip });
    expect(next.status).toBe(429);
    expect(next.res.headers.get('Retry-After')).toBe('4');
    expect((await backoffRows(s.id))[0].failures).toBe(6);

    await age(s.id, 4500);
    const ok = await access(s, 'download', { ip });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.grant).toBe('string');
    expect(await backoffRows(s.id)).toEqual([]);

    const o = await callJson('GET', `/api/shares/${s.id}/owner`, { auth: owner(s) });
    expect(o.body.wrongPasswords).toBe(6);
    expect(o.body.log.filter((r: any) => r.event === 'bad_password')).toHaveLength(6);
    expect(o.body.log.filter((r: any) => r.event === 'rate_limited').length).toBeGreaterThanOrEqual(3);
  });

  it('caps the back-off window at 15 minutes', async () => {
    const s = await readyShare({ password: true });
    const ip = freshIp();
    await access(s, 'manifest', { keys: wrongPassword(s.keys), ip });
    await env.DB.prepare('UPDATE backoff SET failures = 40 WHERE share_id = ?').bind(s.id).run();
    const r = await access(s, 'manifest', { ip });
    expect(r.status).toBe(429);
    expect(Number(r.res.headers.get('Retry-After'))).toBe(900);
  });

  it('spends a per-share budget of 20 wrong passwords an hour, whatever the address', async () => {
    const s = await readyShare({ password: true });
    const bad = wrongPassword(s.keys);
    for (let k = 0; k < 20; k++) expect((await access(s, 'manifest', { keys: bad, ip: freshIp() })).status).toBe(403);
    const r = await access(s, 'manifest', { ip: freshIp() });
    expect(r.status).toBe(429);
    const retry = Number(r.res.headers.get('Retry-After'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(3600);
    expect((await shareRow(s.id)).wrong_passwords).toBe(20);
  });

  it('has a daily budget of 100', async () => {
    const s = await readyShare({ password: true });
    const day = Math.floor(Date.now() / 86400_000);
    await env.DB.prepare('UPDATE shares SET wp_day = ?, wp_day_count = 100 WHERE id = ?').bind(day, s.id).run();
    const r = await access(s, 'download', { ip: freshIp() });
    expect(r.status).toBe(429);
    expect(Number(r.res.headers.get('Retry-After'))).toBeLessThanOrEqual(86400);
  });

  it('a stranger with a bad link signature gets 401 and writes no per-share state', async () => {
    const s = await readyShare({ password: true });
    const before = await shareRow(s.id);
    const counts = await tableCounts();
    const ip = freshIp();
    for (let k = 0; k < 3; k++) {
      const r = await access(s, 'download', { keys: newKeys(), ip });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
    }
    expect(await shareRow(s.id)).toEqual(before);
    expect(await backoffRows(s.id)).toEqual([]);
    const after = await tableCounts();
    expect({ ...after, access_log: 0 }).toEqual({ ...counts, access_log: 0 });
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM access_log WHERE share_id = ? AND event != ?')
      .bind(s.id, 'create')
      .first<{ n: number }>();
    expect(rows!.n).toBe(1); // finalize only
  });

  it('rate-limits bad link proofs per address (IPv6 by /64)', async () => {
    const s = await readyShare();
    const stranger = newKeys();
    const codes: number[] = [];
    for (let k = 0; k < 32; k++) {
      // Addresses differ only in the interface identifier: one /64.
      codes.push((await access(s, 'manifest', { keys: stranger, ip: `2001:db8:77:1::${(k + 1).toString(16)}` })).status);
    }
    expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
    expect(codes.slice(30)).toEqual([429, 429]);
    // Another /64 is not affected.
    expect((await access(s, 'manifest', { keys: stranger, ip: '2001:db8:77:2::1' })).status).toBe(401);
  });
});

describe('challenges', () => {
  it('refuses an expired challenge, one for another share, and a garbled one', async () => {
    const s = await readyShare();
    const t = await readyShare();
    const old = await makeChallenge(env.SERVER_SECRET!, s.id, Date.now() - 301_000);
    const r1 = await callJson('POST', `/api/shares/${s.id}/manifest`, { json: signBody(s.keys, 'manifest', s.id, old) });
    expect(r1.status).toBe(401);
    const foreign = await challenge(t.id);
    const r2 = await callJson('POST', `/api/shares/${s.id}/manifest`, { json: signBody(s.keys, 'manifest', s.id, foreign) });
    expect(r2.status).toBe(401);
    const fresh = await challenge(s.id);
    const garbled = fresh.slice(0, -4) + (fresh.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const r3 = await callJson('POST', `/api/shares/${s.id}/manifest`, { json: signBody(s.keys, 'manifest', s.id, garbled) });
    expect(r3.status).toBe(401);
  });

  it('a replayed /download body cannot take a second download, nor can a /manifest body', async () => {
    const s = await readyShare({ maxDownloads: 5 });
    const ch = await challenge(s.id);
    const body = signBody(s.keys, 'download', s.id, ch);
    expect((await callJson('POST', `/api/shares/${s.id}/download`, { json: body })).status).toBe(200);
    const replay = await callJson('POST', `/api/shares/${s.id}/download`, { json: body });
    expect(replay.status).toBe(401);
    expect((await shareRow(s.id)).downloads_used).toBe(1);

    const ch2 = await challenge(s.id);
    const manifestBody = signBody(s.keys, 'manifest', s.id, ch2);
    expect((await callJson('POST', `/api/shares/${s.id}/manifest`, { json: manifestBody })).status).toBe(200);
    // The same signed /manifest body works again (it consumes nothing) but never for /download.
    expect((await callJson('POST', `/api/shares/${s.id}/manifest`, { json: manifestBody })).status).toBe(200);
    expect((await callJson('POST', `/api/shares/${s.id}/download`, { json: manifestBody })).status).toBe(401);
    expect((await shareRow(s.id)).downloads_used).toBe(1);
  });
});

describe('download counting', () => {
  async function race(left: number, attempts: number) {
    const s = await readyShare({ maxDownloads: left });
    const bodies = await Promise.all(
      Array.from({ length: attempts }, async () => signBody(s.keys, 'download', s.id, await challenge(s.id))),
    );
    const results = await Promise.all(bodies.map((json) => callJson('POST', `/api/shares/${s.id}/download`, { json })));
    const granted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    return { s, granted, refused };
  }

  it('200 simultaneous attempts with 1 left give exactly 1 grant', async () => {
    const { s, granted, refused } = await race(1, 200);
    expect(granted).toHaveLength(1);
    expect(refused.every((r) => r.status === 410 && r.body.error.code === 'exhausted')).toBe(true);
    expect((await shareRow(s.id)).downloads_used).toBe(1);
    // The one grant keeps working after the count reached zero.
    const f = await getFile(s.id, 0, granted[0].body.grant);
    expect(f.status).toBe(200);
    await f.arrayBuffer();
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.code).toBe('exhausted');
  });

  it('200 simultaneous attempts with 5 left give exactly 5 grants', async () => {
    const { s, granted, refused } = await race(5, 200);
    expect(granted).toHaveLength(5);
    expect(new Set(granted.map((r) => r.body.grant)).size).toBe(5);
    expect(refused.every((r) => r.status === 410)).toBe(true);
    expect((await shareRow(s.id)).downloads_used).toBe(5);
    const grants = await env.DB.prepare('SELECT COUNT(*) AS n FROM grants WHERE share_id = ?').bind(s.id).first<{ n: number }>();
    expect(grants!.n).toBe(5);
  });

  it('raises last_grant_expires_at in the same statement, never past expiry', async () => {
    const s = await readyShare({ expiresIn: 600 });
    const d = await download(s);
    const row = await shareRow(s.id);
    expect(row.last_grant_expires_at).toBe(Date.parse(d.grantExpiresAt));
    expect(row.last_grant_expires_at).toBeLessThanOrEqual(row.expires_at);
  });
});
