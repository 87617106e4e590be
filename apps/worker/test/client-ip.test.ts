// Issue 9 item 12: a client-sent CF-Connecting-IP is trusted only where the
// platform sets it. A local run (LOCAL=1 without the harness switch) counts every
// request as 127.0.0.1, so rotating the header dodges no limit.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import type { Env } from '../src/env.ts';
import { challenge, freshIp, newKeys, readyShare, signBody, type Keys } from './helpers.ts';

/** A local run as `npm start` makes it: LOCAL=1, no harness switch. */
const localRun: Env = { ...(env as unknown as Env), TRUST_CLIENT_IP: undefined };
/** Cloudflare: not local, the platform sets the header. */
const platform: Env = { ...(env as unknown as Env), LOCAL: undefined, TRUST_CLIENT_IP: undefined };

async function post(e: Env, path: string, json: unknown, claimedIp: string) {
  const ctx = createExecutionContext();
  const req = new Request(`http://sealdrop.test${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': claimedIp },
    body: JSON.stringify(json),
  });
  const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const wrongPassword = (k: Keys): Keys => ({ ...newKeys(), linkSeed: k.linkSeed, linkPub: k.linkPub });
const lastLogIp = async (id: string, event: string) =>
  (await env.DB.prepare('SELECT ip FROM access_log WHERE share_id = ? AND event = ? ORDER BY id DESC LIMIT 1').bind(id, event).first<{ ip: string }>())!.ip;

describe('CF-Connecting-IP sent by the client', () => {
  it('on a local run does not buy a fresh back-off: the 6th wrong password waits, whatever address it claims', async () => {
    const s = await readyShare({ password: true });
    const bad = wrongPassword(s.keys);
    const codes: number[] = [];
    for (let k = 0; k < 6; k++) {
      const ch = await challenge(s.id);
      codes.push((await post(localRun, `/api/shares/${s.id}/manifest`, signBody(bad, 'manifest', s.id, ch), freshIp())).status);
    }
    expect(codes).toEqual([403, 403, 403, 403, 403, 429]);
    expect(await lastLogIp(s.id, 'bad_password')).toBe('127.0.0.1');
  });

  it('on a local run does not spread bad link proofs over many rate-limit buckets', async () => {
    const s = await readyShare();
    const stranger = newKeys();
    const ch = await challenge(s.id);
    const codes: number[] = [];
    for (let k = 0; k < 40; k++) codes.push((await post(localRun, `/api/shares/${s.id}/manifest`, signBody(stranger, 'manifest', s.id, ch), freshIp())).status);
    // One bucket of 30 a minute (127.0.0.1, which other tests may have used too).
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(30);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(10);
  });

  it('on Cloudflare is the address (the platform sets it)', async () => {
    const s = await readyShare({ password: true });
    const ch = await challenge(s.id);
    const res = await post(platform, `/api/shares/${s.id}/manifest`, signBody(wrongPassword(s.keys), 'manifest', s.id, ch), '198.51.100.23');
    expect(res.status).toBe(403);
    expect(await lastLogIp(s.id, 'bad_password')).toBe('198.51.100.23');
  });
});
