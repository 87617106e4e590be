// Wrong-password limits under concurrency (issue 9 item 1): guesses fired at once
// must evaluate at most the allowance, as an attacker would fire them.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { access, callJson, challenge, freshIp, newKeys, readyShare, shareRow, signBody, type Keys } from './helpers.ts';

const wrongPassword = (k: Keys): Keys => ({ ...newKeys(), linkSeed: k.linkSeed, linkPub: k.linkPub });

async function fire(id: string, keys: Keys, ips: string[]) {
  const ch = await challenge(id);
  const json = signBody(keys, 'manifest', id, ch);
  const results = await Promise.all(ips.map((ip) => callJson('POST', `/api/shares/${id}/manifest`, { json, ip })));
  const count = (status: number) => results.filter((r) => r.status === status).length;
  return { ok: count(200), forbidden: count(403), limited: count(429), other: results.length - count(200) - count(403) - count(429) };
}

const badPasswordLogs = async (id: string) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM access_log WHERE share_id = ? AND event = 'bad_password'`).bind(id).first<{ n: number }>())!.n;

describe('wrong passwords fired concurrently', () => {
  it('100 at once from one client: exactly 5 are evaluated, 95 wait', async () => {
    const s = await readyShare({ password: true });
    const ip = freshIp();
    const r = await fire(s.id, wrongPassword(s.keys), Array.from({ length: 100 }, () => ip));
    expect(r).toEqual({ ok: 0, forbidden: 5, limited: 95, other: 0 });
    const bo = await env.DB.prepare('SELECT failures FROM backoff WHERE share_id = ?').bind(s.id).all<{ failures: number }>();
    expect(bo.results).toEqual([{ failures: 5 }]);
    expect((await shareRow(s.id)).wrong_passwords).toBe(5);
    expect(await badPasswordLogs(s.id)).toBe(5);
    // The right password from another address still works: the budget was not eaten by the 95.
    expect((await access(s, 'manifest', { ip: freshIp() })).status).toBe(200);
  });

  it('200 at once from 200 addresses: exactly the hourly budget of 20 is evaluated', async () => {
    const s = await readyShare({ password: true });
    const ips = Array.from({ length: 200 }, () => freshIp());
    const r = await fire(s.id, wrongPassword(s.keys), ips);
    expect(r).toEqual({ ok: 0, forbidden: 20, limited: 180, other: 0 });
    const row = await shareRow(s.id);
    expect(row.wrong_passwords).toBe(20);
    expect(row.wp_hour_count).toBe(20);
    expect(await badPasswordLogs(s.id)).toBe(20);
    // Addresses refused by the budget got their back-off slot back.
    const bo = await env.DB.prepare('SELECT COUNT(*) AS n, SUM(failures) AS f FROM backoff WHERE share_id = ?').bind(s.id).first<{ n: number; f: number }>();
    expect(bo).toEqual({ n: 20, f: 20 });
    // The budget is spent for everyone, the right password included.
    expect((await access(s, 'manifest', { ip: freshIp() })).status).toBe(429);
  });

  it('100 right passwords at once from 100 addresses are never counted as wrong and leave the budget whole', async () => {
    const s = await readyShare({ password: true });
    const r = await fire(s.id, s.keys, Array.from({ length: 100 }, () => freshIp()));
    // A right password holds a budget slot only while it is verified, so some of 100 in
    // flight may be told to wait (429); none is refused as wrong, and all slots come back.
    expect(r.forbidden).toBe(0);
    expect(r.other).toBe(0);
    expect(r.ok).toBeGreaterThanOrEqual(20);
    expect(r.ok + r.limited).toBe(100);
    const row = await shareRow(s.id);
    expect(row.wrong_passwords).toBe(0);
    expect(row.wp_hour_count).toBe(0);
    expect(row.wp_day_count).toBe(0);
    const bo = await env.DB.prepare('SELECT COUNT(*) AS n FROM backoff WHERE share_id = ?').bind(s.id).first<{ n: number }>();
    expect(bo!.n).toBe(0);
  });
});
