import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { sweep } from '../src/sweep.ts';
import { ADMIN, callJson, createShare, download, getFile, putPart, readyShare, shareRow } from './helpers.ts';

it('revoke-all kills every live share and every issued grant; objects go with the sweep', async () => {
  const a = await readyShare();
  const b = await readyShare({ maxDownloads: 2 });
  const u = await createShare();
  const ga = (await download(a)).grant;
  const gb = (await download(b)).grant;
  const auth = `Bearer ${ADMIN}`;

  expect((await callJson('POST', '/api/admin/revoke-all', { auth, json: { confirm: 'yes' } })).status).toBe(400);
  expect((await callJson('POST', '/api/admin/revoke-all', { auth })).status).toBe(415);
  const live = await env.DB.prepare(
    `SELECT COUNT(*) AS n FROM shares WHERE status = 'uploading' OR (status = 'ready' AND expires_at > ? AND downloads_used < max_downloads)`,
  )
    .bind(Date.now())
    .first<{ n: number }>();
  const r = await callJson('POST', '/api/admin/revoke-all', { auth, json: { confirm: 'REVOKE ALL' } });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ revoked: live!.n, tokensRevoked: 0 });
  expect(r.body.revoked).toBeGreaterThanOrEqual(3);

  for (const [s, g] of [[a, ga], [b, gb]] as const) {
    const f = await getFile(s.id, 0, g);
    expect(f.status).toBe(410);
    expect((await f.json<any>()).error.code).toBe('revoked');
  }
  expect((await putPart(u, 0, 0)).status).toBe(410);
  for (const s of [a, b, u]) expect((await shareRow(s.id)).status).toBe('revoked');

  await sweep(env);
  for (const s of [a, b, u]) {
    expect((await env.BUCKET.list({ prefix: `shares/${s.id}/` })).objects).toEqual([]);
    expect((await shareRow(s.id)).purged_at).not.toBeNull();
  }
  // Nothing left to revoke.
  expect((await callJson('POST', '/api/admin/revoke-all', { auth, json: { confirm: 'REVOKE ALL' } })).body).toEqual({ revoked: 0, grantsEnded: 0, purgePending: 0, tokensRevoked: 0, downloadTokensRevoked: 0 });
});
