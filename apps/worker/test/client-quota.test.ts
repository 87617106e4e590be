// Open mode (issue 9 item 9): one client address, or one upload token, may hold at
// most CLIENT_QUOTA_BYTES reserved, under concurrency too; a share with no part
// sent an hour after create gives its reservation back.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { config } from '../src/lib/config.ts';
import { EMPTY_UPLOAD_TTL_SECONDS, sweep } from '../src/sweep.ts';
import { ADMIN, callJson, ciphertextSize, createBody, createShare, freshIp, putPart, shareRow } from './helpers.ts';

const GIB = 1024 ** 3;
// Two files of 9 GiB plaintext: a big share that uploads nothing.
const SIZES = [ciphertextSize(9 * GIB), ciphertextSize(9 * GIB)];
const SHARE_BYTES = SIZES[0] + SIZES[1];
const quota = async () => (await env.DB.prepare('SELECT reserved FROM quota').first<{ reserved: number }>())!.reserved;
const tally = (rs: { status: number }[]) => {
  const out: Record<number, number> = {};
  for (const r of rs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

describe('the per-client share of the quota', () => {
  const allowed = Math.floor(config(env).clientQuotaBytes / SHARE_BYTES);

  it(`100 concurrent creates from one address reserve at most its budget (${allowed} shares)`, async () => {
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(30); // under the create rate limit, so the quota decides
    const ip = freshIp();
    const q0 = await quota();
    const rs = await Promise.all(Array.from({ length: 100 }, () => callJson('POST', '/api/shares', { json: createBody({ sizes: SIZES }), ip })));
    const t = tally(rs);
    expect(t[201]).toBe(allowed);
    expect(t[413] + t[201]).toBe(30); // the rest were refused by the create rate limit (429)
    expect(t[429]).toBe(70);
    expect(rs.find((r) => r.status === 413)!.body.error.message).toMatch(/one client/);
    expect((await quota()) - q0).toBe(allowed * SHARE_BYTES);
    // Another address is not affected.
    expect((await callJson('POST', '/api/shares', { json: createBody({ sizes: SIZES }), ip: freshIp() })).status).toBe(201);
  });

  it(`100 concurrent creates with one upload token from 100 addresses reserve at most its budget`, async () => {
    const minted = await callJson('POST', '/api/admin/tokens', { auth: `Bearer ${ADMIN}`, json: { label: 'pipeline', scope: 'upload', expiresIn: 3600 } });
    expect(minted.status).toBe(201);
    const rs = await Promise.all(
      Array.from({ length: 100 }, () =>
        callJson('POST', '/api/shares', { json: createBody({ sizes: SIZES }), ip: freshIp(), auth: `Bearer ${minted.body.token}` }),
      ),
    );
    expect(tally(rs)).toEqual({ 201: allowed, 413: 100 - allowed });
    const held = await env.DB.prepare('SELECT SUM(bytes) AS b FROM shares WHERE token_id = ? AND quota_released = 0')
      .bind(minted.body.id)
      .first<{ b: number }>();
    expect(held!.b).toBe(allowed * SHARE_BYTES);
  });
});

describe('a share that stays empty', () => {
  it('gives its reservation back an hour after create; one with a part sent is kept', async () => {
    // Declared big, never sent (made directly: createShare would also draw the file's random bytes).
    const made = await callJson('POST', '/api/shares', { json: createBody({ sizes: SIZES }), ip: freshIp() });
    expect(made.status).toBe(201);
    const empty = { ...made.body, id: made.body.id as string };
    const started = await createShare();
    expect((await putPart(started, 0, 0)).status).toBe(200);
    const q0 = await quota();
    // Not yet at 59 minutes.
    await sweep(env, Date.now() + (EMPTY_UPLOAD_TTL_SECONDS - 60) * 1000);
    expect((await shareRow(empty.id)).status).toBe('uploading');
    // Every empty upload of this file (the ones above too) is given back, and nothing else.
    const emptyBytes = (await env.DB.prepare(
      `SELECT SUM(bytes) AS b FROM shares s WHERE status = 'uploading' AND NOT EXISTS (SELECT 1 FROM parts p WHERE p.share_id = s.id)`,
    ).first<{ b: number }>())!.b;
    expect(emptyBytes).toBeGreaterThanOrEqual(SHARE_BYTES);
    await sweep(env, Date.now() + (EMPTY_UPLOAD_TTL_SECONDS + 60) * 1000);
    const row = await shareRow(empty.id);
    expect(row.status).toBe('abandoned');
    expect(row.quota_released).toBe(1);
    expect(q0 - (await quota())).toBe(emptyBytes);
    expect((await shareRow(started.id)).status).toBe('uploading');
    // Its owner is told it is gone.
    const late = await callJson('PUT', `/api/shares/${empty.id}/files/0/parts/0`, {
      body: new Uint8Array(16),
      auth: `Owner ${empty.ownerToken}`,
      headers: { 'Content-Length': '16' },
    });
    expect(late.status).toBe(404);
  });
});
