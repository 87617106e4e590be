// Reports (issue 9 items 5 and 7): reporters are invisible to the share's owner
// (admins still see them), and a link secret cannot reach D1 in a reason, however
// it is disguised.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, b64u, callJson, freshIp, owner, randomBytes, readyShare } from './helpers.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function report(id: string, reason: string, ip = freshIp(), ua = 'Reporter/1.0 (their own machine)') {
  const r = await callJson('POST', `/api/shares/${id}/report`, { json: { reason }, ip, headers: { 'User-Agent': ua } });
  expect(r.status).toBe(202);
}

/** Every reason stored for the share, as D1 holds it. */
async function storedReasons(id: string): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT reason FROM reports WHERE share_id = ? ORDER BY id').bind(id).all<{ reason: string }>();
  return results.map((r) => r.reason);
}

describe('who reported a share', () => {
  it('is not in the owner view (no row, no address, no user agent); admins see the report with its address', async () => {
    const s = await readyShare();
    const ip = '203.0.113.77';
    const ua = 'ReporterAgent/9.9 (unique-marker)';
    await report(s.id, 'this is malware', ip, ua);
    const o = await callJson('GET', `/api/shares/${s.id}/owner`, { auth: owner(s) });
    expect(o.status).toBe(200);
    const text = JSON.stringify(o.body);
    expect(text).not.toContain(ip);
    expect(text).not.toContain('unique-marker');
    expect(o.body.log.map((r: any) => r.event)).not.toContain('report');
    expect(o.body.log.map((r: any) => r.event)).toContain('finalize');

    const a = await callJson('GET', `/api/admin/shares/${s.id}`, { auth: `Bearer ${ADMIN}` });
    expect(a.body.reports).toEqual([expect.objectContaining({ reason: 'this is malware', ip })]);
    const logged = a.body.log.find((r: any) => r.event === 'report');
    expect(logged).toMatchObject({ ip, userAgent: ua });
  });
});

describe('a link secret in a report reason', () => {
  const secret = b64u(randomBytes(32));
  const id = b64u(randomBytes(16));
  const disguises: Record<string, string> = {
    'pasted as a whole link': `see https://x.example/s/${id}#${secret} please`,
    'with the # percent-encoded': `see https://x.example/s/${id}%23${secret} please`,
    'split by a zero-width space': `key ${secret.slice(0, 20)}\u200b${secret.slice(20)} thanks`,
    'split by a soft hyphen and a word joiner': `key ${secret.slice(0, 10)}\u00ad${secret.slice(10, 30)}\u2060${secret.slice(30)}`,
    'glued to a word': `thekeyis${secret}ok`,
    'in fullwidth letters': `key ${[...secret].map((ch) => (/[A-Za-z0-9]/.test(ch) ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch)).join('')}`,
  };
  for (const [how, reason] of Object.entries(disguises)) {
    it(`is redacted when ${how}`, async () => {
      const s = await readyShare();
      await report(s.id, reason);
      const [stored] = await storedReasons(s.id);
      expect(stored).toContain('[redacted]');
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice(0, 20));
      expect(stored).not.toContain(secret.slice(20));
    });
  }

  it('is redacted when written as 64 hex digits, alone or glued', async () => {
    const key = randomBytes(32);
    const s = await readyShare();
    await report(s.id, `hex ${hex(key)} and upper ${hex(key).toUpperCase()} and glued0x${hex(key)}z`);
    const [stored] = await storedReasons(s.id);
    expect(stored).not.toMatch(/[0-9a-f]{32}/i);
    expect(stored.match(/\[redacted\]/g)).toHaveLength(3);
  });

  it('leaves ordinary text, share ids and short words alone', async () => {
    const s = await readyShare();
    await report(s.id, `share ${s.id} has malware: see CVE-2026-12345, sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709`);
    expect(await storedReasons(s.id)).toEqual([`share ${s.id} has malware: see CVE-2026-12345, sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709`]);
  });
});
