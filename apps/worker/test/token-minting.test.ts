// Issue 9 item 6: a minted admin token cannot mint its own successors. Only the
// bootstrap (ADMIN_TOKEN) mints admin tokens; a minted token mints nothing that
// outlives it; revoking a token revokes what it minted; admin tokens cannot
// revoke the bootstrap's admin tokens nor touch its audit trail.
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { ADMIN, callJson, createBody, freshIp } from './helpers.ts';

const bearer = (t: string) => `Bearer ${t}`;
const mint = (by: string, body: { label: string; scope: string; expiresIn: number }) =>
  callJson('POST', '/api/admin/tokens', { auth: bearer(by), json: body });

it('a 60-second admin token cannot mint a 366-day admin token, nor any token outliving it', async () => {
  const parent = (await mint(ADMIN, { label: 'short admin', scope: 'admin', expiresIn: 60 })).body;
  const child = await mint(parent.token, { label: 'successor', scope: 'admin', expiresIn: 366 * 86400 });
  expect(child.status).toBe(403);
  expect(child.body.error.message).toMatch(/only the bootstrap/);
  // Even a short admin child: only the bootstrap mints admin tokens.
  expect((await mint(parent.token, { label: 'short successor', scope: 'admin', expiresIn: 30 })).status).toBe(403);

  const long = await mint(parent.token, { label: 'long upload', scope: 'upload', expiresIn: 366 * 86400 });
  expect(long.status).toBe(403);
  expect(long.body.error.message).toMatch(/must expire by/);
  const ok = await mint(parent.token, { label: 'ci upload', scope: 'upload', expiresIn: 30 });
  expect(ok.status).toBe(201);
  expect(Date.parse(ok.body.expiresAt)).toBeLessThanOrEqual(Date.parse(parent.expiresAt));
  expect(ok.body.createdBy).toBe(parent.id);
  const listed = (await callJson('GET', '/api/admin/tokens', { auth: bearer(ADMIN) })).body.tokens.find((t: any) => t.id === ok.body.id);
  expect(listed.createdBy).toBe(parent.id);

  // Nothing was stored for the refused mints.
  const n = await env.DB.prepare(`SELECT COUNT(*) AS n FROM api_tokens WHERE label IN ('successor', 'short successor', 'long upload')`).first<{ n: number }>();
  expect(n!.n).toBe(0);

  // Revoking the parent revokes what it minted: no live successor survives.
  expect((await callJson('DELETE', `/api/admin/tokens/${parent.id}`, { auth: bearer(ADMIN) })).status).toBe(200);
  const row = await env.DB.prepare('SELECT revoked_at FROM api_tokens WHERE id = ?').bind(ok.body.id).first<{ revoked_at: number | null }>();
  expect(row!.revoked_at).not.toBeNull();
  expect((await callJson('POST', '/api/shares', { auth: bearer(ok.body.token), json: createBody(), ip: freshIp() })).status).toBe(401);
});

it('a minted admin token cannot revoke the bootstrap’s admin tokens, and no admin call removes the bootstrap’s log', async () => {
  const a = (await mint(ADMIN, { label: 'ops a', scope: 'admin', expiresIn: 3600 })).body;
  const b = (await mint(ADMIN, { label: 'ops b', scope: 'admin', expiresIn: 3600 })).body;
  const up = (await mint(ADMIN, { label: 'ci', scope: 'upload', expiresIn: 3600 })).body;
  await callJson('GET', '/api/admin/stats', { auth: bearer(ADMIN) });
  const trail = async () =>
    (await env.DB.prepare(`SELECT id, detail FROM access_log WHERE token_id = 'bootstrap' ORDER BY id`).all()).results;
  const before = await trail();
  expect(before.length).toBeGreaterThan(0);

  const r = await callJson('DELETE', `/api/admin/tokens/${b.id}`, { auth: bearer(a.token) });
  expect(r.status).toBe(403);
  expect((await callJson('GET', '/api/admin/stats', { auth: bearer(b.token) })).status).toBe(200);
  // Its kill switch with tokens revokes upload tokens only.
  const k = await callJson('POST', '/api/admin/revoke-all', { auth: bearer(a.token), json: { confirm: 'REVOKE ALL', tokens: true } });
  expect(k.status).toBe(200);
  expect((await callJson('GET', '/api/admin/stats', { auth: bearer(b.token) })).status).toBe(200);
  const upRow = await env.DB.prepare('SELECT revoked_at FROM api_tokens WHERE id = ?').bind(up.id).first<{ revoked_at: number | null }>();
  expect(upRow!.revoked_at).not.toBeNull();
  // It may revoke an upload token and itself.
  expect((await callJson('DELETE', `/api/admin/tokens/${a.id}`, { auth: bearer(a.token) })).status).toBe(200);
  expect((await callJson('GET', '/api/admin/stats', { auth: bearer(a.token) })).status).toBe(401);

  // The bootstrap's log rows are all still there, unchanged.
  const after = await trail();
  expect(after.slice(0, before.length)).toEqual(before);
});
