// Grants end with their share to the millisecond (whole seconds let them die
// up to 999 ms early, after /download had charged for them), and a grant used
// after its end gets 410 expired, as README promises.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { download, getFile, readyShare } from './helpers.ts';

const payload = (grant: string) => JSON.parse(atob(grant.split('.')[0].replace(/-/g, '+').replace(/_/g, '/')));
const setExpiry = (id: string, at: number) => env.DB.prepare('UPDATE shares SET expires_at = ? WHERE id = ?').bind(at, id).run();

describe('grant expiry', () => {
  it('a grant taken near the end of a share lives exactly as long as the share, to the millisecond', async () => {
    const s = await readyShare();
    // The share ends 1.5 s from now, at a time that is not a whole second.
    let end = Date.now() + 1500;
    if (end % 1000 === 0) end += 137;
    await setExpiry(s.id, end);
    const d = await download(s);
    expect(Date.parse(d.grantExpiresAt)).toBe(end);
    expect(payload(d.grant).exp).toBe(end);
    const g = await env.DB.prepare('SELECT expires_at FROM grants WHERE share_id = ?').bind(s.id).first<{ expires_at: number }>();
    expect(g!.expires_at).toBe(end);
    // In the last second of the share (where the old grant was already dead) the grant still reads.
    const wait = end - 400 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (Date.now() < end - 50) {
      const res = await getFile(s.id, 0, d.grant);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    // After the share's end: 410 expired.
    await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now() + 20)));
    const after = await getFile(s.id, 0, d.grant);
    expect(after.status).toBe(410);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('expired');
  });

  it('a grant past its own 6-hour end, on a share that lives on, is 410 expired (not 401)', async () => {
    const s = await readyShare({ expiresIn: 7 * 24 * 3600 });
    const d = await download(s);
    expect(Date.parse(d.grantExpiresAt) - Date.now()).toBeGreaterThan(6 * 3600_000 - 60_000);
    // Six hours later: the same grant id, with an end that has passed.
    const { makeGrant } = await import('../src/lib/grant.ts');
    const old = await makeGrant(env.SERVER_SECRET!, s.id, payload(d.grant).gid, Date.now() - 1);
    const r = await getFile(s.id, 0, old);
    expect(r.status).toBe(410);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('expired');
    expect(body.error.message).toMatch(/grant has expired/);
  });

  it('still accepts a grant made before exp was in milliseconds (seconds in the payload)', async () => {
    const s = await readyShare();
    const d = await download(s);
    const { grantKid } = await import('../src/lib/grant.ts');
    const { hmac } = await import('../src/lib/bytes.ts');
    const { b64uEncode, utf8Encode: utf8 } = await import('@sealdrop/crypto');
    const kid = await grantKid(env.SERVER_SECRET!);
    const bytes = utf8(JSON.stringify({ v: 1, kid, id: s.id, gid: payload(d.grant).gid, exp: Math.floor(Date.parse(d.grantExpiresAt) / 1000) }));
    const legacy = `${b64uEncode(bytes)}.${b64uEncode(await hmac(env.SERVER_SECRET!, `grant ${kid}`, bytes))}`;
    const r = await getFile(s.id, 0, legacy);
    expect(r.status).toBe(200);
    await r.arrayBuffer();
  });
});
