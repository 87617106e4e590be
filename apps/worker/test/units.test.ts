// The small pieces: IP parsing and truncation, CSV escaping, text cleaning,
// Range parsing, and the access log's IP modes.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../src/lib/csv.ts';
import { parseClientIp } from '../src/lib/ip.ts';
import { logIp } from '../src/lib/log.ts';
import { clean, redactSecrets } from '../src/lib/text.ts';
import { parseRange } from '../src/routes/files.ts';
import { backoffSeconds } from '../src/routes/access.ts';
import { call, createShare } from './helpers.ts';

describe('client addresses', () => {
  it('keys IPv4 by address and IPv6 by /64; truncates to /24 and /48', () => {
    expect(parseClientIp('203.0.113.77')).toEqual({ address: '203.0.113.77', key: '4:203.0.113.77', truncated: '203.0.113.0' });
    const a = parseClientIp('2001:db8:abcd:12:1:2:3:4');
    expect(a.address).toBe('2001:db8:abcd:12:1:2:3:4');
    expect(a.truncated).toBe('2001:db8:abcd::');
    expect(a.key).toBe(parseClientIp('2001:0db8:abcd:0012:ffff::1').key);
    expect(a.key).not.toBe(parseClientIp('2001:db8:abcd:13::1').key);
    expect(parseClientIp('::1').address).toBe('::1');
    expect(parseClientIp('2001:db8::').truncated).toBe('2001:db8::');
    expect(parseClientIp('::ffff:198.51.100.9')).toEqual(parseClientIp('198.51.100.9'));
    expect(parseClientIp('fe80::1%eth0').address).toBe('fe80::1');
    for (const bad of ['', 'abc', '1.2.3', '256.1.1.1', '01.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', null, undefined]) {
      expect(parseClientIp(bad).key).toBe('unknown');
    }
  });

  it('logs full, truncated or no addresses per IP_LOGGING', () => {
    const v4 = parseClientIp('203.0.113.77');
    const v6 = parseClientIp('2001:db8:abcd:12::99');
    expect(logIp({ ...env, IP_LOGGING: 'full' }, v4)).toBe('203.0.113.77');
    expect(logIp({ ...env, IP_LOGGING: 'truncated' }, v4)).toBe('203.0.113.0');
    expect(logIp({ ...env, IP_LOGGING: 'truncated' }, v6)).toBe('2001:db8:abcd::');
    expect(logIp({ ...env, IP_LOGGING: 'none' }, v6)).toBeNull();
  });

  it('writes what IP_LOGGING says into the access log through a real request', async () => {
    const s = await createShare({ ip: '198.51.100.23' });
    const row = await env.DB.prepare(`SELECT ip FROM access_log WHERE share_id = ? AND event = 'create'`).bind(s.id).first();
    expect(row).toEqual({ ip: '198.51.100.23' });
  });
});

describe('CSV', () => {
  it('quotes every field and defuses formulas', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(42)).toBe('"42"');
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${lead}1+1`)).toBe(`"'${lead}1+1"`);
    expect(csvCell('a=1')).toBe('"a=1"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvLine(['a', '=b'])).toBe(`"a","'=b"\r\n`);
  });
});

describe('text from outsiders', () => {
  it('strips control and bidi characters and caps length', () => {
    expect(clean('Mozilla\u0000/5.0\u001b[31m\u202e\u200b', 512)).toBe('Mozilla/5.0[31m');
    expect(clean('x'.repeat(600), 512)).toHaveLength(512);
    expect(clean('a\ud83d\ude00', 2)).toBe('a');
    expect(clean(null, 5)).toBeNull();
  });

  it('redacts link secrets pasted into reports', () => {
    const secret = 'Qx7_tK2-vZ9pL4mN8rS1wY3aB6cD0eF5gH2jK4lM9nP';
    expect(secret).toHaveLength(43);
    expect(redactSecrets(`see https://x.example/s/AAAAAAAAAAAAAAAAAAAAAA#${secret} please`)).toBe(
      'see https://x.example/s/AAAAAAAAAAAAAAAAAAAAAA#[redacted] please',
    );
    expect(redactSecrets(`key ${secret}`)).toBe('key [redacted]');
    expect(redactSecrets('nothing secret here')).toBe('nothing secret here');
  });

  it('a user agent is stored capped at 512 characters without controls', async () => {
    const ua = `bot\u0007${'y'.repeat(1000)}`;
    const res = await call('POST', '/api/shares', { json: {}, headers: { 'User-Agent': ua } });
    expect(res.status).toBe(400);
    const s = await createShare({ ip: '198.51.100.24' });
    await call('GET', `/api/shares/${s.id}/owner`, { auth: `Owner ${s.ownerToken}`, headers: { 'User-Agent': ua } });
    const report = await call('GET', `/api/admin/stats`, { auth: 'Bearer nope', headers: { 'User-Agent': ua } });
    expect(report.status).toBe(401);
    const row = await env.DB.prepare(`SELECT user_agent FROM access_log WHERE event = 'admin' ORDER BY id DESC LIMIT 1`).first<{ user_agent: string }>();
    expect(row!.user_agent).toHaveLength(512);
    expect(row!.user_agent.startsWith('botyyy')).toBe(true);
  });
});

describe('Range', () => {
  it('parses one byte range and ignores what it may ignore', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=95-', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=100-120', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=9-0', 100)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(parseRange('bytes=-', 100)).toBeNull();
  });
});

describe('back-off schedule', () => {
  it('is free for five, then doubles from 2 s to 15 minutes', () => {
    expect([0, 1, 4].map(backoffSeconds)).toEqual([0, 0, 0]);
    expect([5, 6, 7, 8].map(backoffSeconds)).toEqual([2, 4, 8, 16]);
    expect(backoffSeconds(13)).toBe(512);
    expect(backoffSeconds(14)).toBe(900);
    expect(backoffSeconds(100)).toBe(900);
  });
});
