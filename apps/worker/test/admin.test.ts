import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import {
  ADMIN,
  call,
  callJson,
  ciphertextSize,
  createBody,
  createShare,
  download,
  freshIp,
  getFile,
  readyShare,
  shareRow,
} from './helpers.ts';

const admin = (token = ADMIN) => `Bearer ${token}`;

async function adminCalls(tokenId: string) {
  return (await env.DB.prepare(`SELECT detail, outcome FROM access_log WHERE event = 'admin' AND token_id = ? ORDER BY id`).bind(tokenId).all())
    .results as { detail: string; outcome: string }[];
}

/** A request with other env values (ADMIN_TOKEN unset or weak, UPLOAD_POLICY=token...). */
async function callWith(vars: Record<string, string | undefined>, method: string, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://sealdrop.test${path}`, { method, ...init }) as any, { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('admin authentication', () => {
  it('is 503 when ADMIN_TOKEN is unset or weak', async () => {
    for (const token of [undefined, 'short-token', 'passwordpasswordpasswordpassword']) {
      const r = await callWith({ ADMIN_TOKEN: token }, 'GET', '/api/admin/stats', { headers: { Authorization: admin(token ?? 'x') } });
      expect(r.status).toBe(503);
      expect((await r.json<any>()).error.code).toBe('unavailable');
    }
  });

  it('wants the bearer token in the Authorization header only, and logs refusals', async () => {
    expect((await callJson('GET', '/api/admin/stats')).status).toBe(401);
    expect((await callJson('GET', '/api/admin/stats', { auth: admin(ADMIN + 'x') })).status).toBe(401);
    expect((await callJson('GET', '/api/admin/stats', { auth: `Owner ${ADMIN}` })).status).toBe(401);
    expect((await callJson('GET', `/api/admin/stats?token=${ADMIN}`)).status).toBe(401);
    const refused = await env.DB.prepare(`SELECT COUNT(*) AS n FROM access_log WHERE event = 'admin' AND outcome = 'unauthorized'`).first<{ n: number }>();
    expect(refused!.n).toBeGreaterThanOrEqual(4);
    expect((await callJson('GET', '/api/admin/stats', { auth: admin() })).status).toBe(200);
  });

  it('mints admin tokens that work, are logged by id, and stop working when revoked', async () => {
    const created = await callJson('POST', '/api/admin/tokens', { auth: admin(), json: { label: 'ops laptop', scope: 'admin', expiresIn: 3600 } });
    expect(created.status).toBe(201);
    const tok = created.body;
    expect(tok).toMatchObject({ label: 'ops laptop', scope: 'admin', revokedAt: null });
    expect(typeof tok.token).toBe('string');
    const row = await env.DB.prepare('SELECT * FROM api_tokens WHERE id = ?').bind(tok.id).first<any>();
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(tok.token);

    expect((await callJson('GET', '/api/admin/stats', { auth: admin(tok.token) })).status).toBe(200);
    expect(await adminCalls(tok.id)).toEqual([{ detail: 'GET /api/admin/stats', outcome: 'ok' }]);
    expect((await adminCalls('bootstrap')).some((r) => r.detail === 'POST /api/admin/tokens')).toBe(true);

    const list = await callJson('GET', '/api/admin/tokens', { auth: admin() });
    expect(list.body.tokens.find((t: any) => t.id === tok.id)).toEqual({
      id: tok.id,
      label: 'ops laptop',
      scope: 'admin',
      createdAt: tok.createdAt,
      expiresAt: tok.expiresAt,
      revokedAt: null,
      lastUsedAt: expect.any(String),
      shares: 0,
      createdBy: 'bootstrap',
    });
    expect(JSON.stringify(list.body)).not.toContain(tok.token);

    expect((await callJson('DELETE', `/api/admin/tokens/${tok.id}`, { auth: admin() })).body).toEqual({ ok: true, revokedShares: 0 });
    expect((await callJson('GET', '/api/admin/stats', { auth: admin(tok.token) })).status).toBe(401);
    expect((await callJson('DELETE', '/api/admin/tokens/AAAAAAAAAAAA', { auth: admin() })).status).toBe(404);
  });

  it('an expired admin token or an upload token is refused', async () => {
    const up = (await callJson('POST', '/api/admin/tokens', { auth: admin(), json: { label: 'ci', scope: 'upload', expiresIn: 3600 } })).body;
    expect((await callJson('GET', '/api/admin/stats', { auth: admin(up.token) })).status).toBe(401);
    const ad = (await callJson('POST', '/api/admin/tokens', { auth: admin(), json: { label: 'old', scope: 'admin', expiresIn: 60 } })).body;
    await env.DB.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, ad.id).run();
    expect((await callJson('GET', '/api/admin/stats', { auth: admin(ad.token) })).status).toBe(401);
  });
});

describe('upload policy', () => {
  it('with UPLOAD_POLICY=token, create needs a live upload token', async () => {
    const up = (await callJson('POST', '/api/admin/tokens', { auth: admin(), json: { label: 'ci', scope: 'upload', expiresIn: 3600 } })).body;
    const body = (auth?: string) => ({
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': freshIp(), ...(auth ? { Authorization: auth } : {}) },
      body: JSON.stringify(createBody()),
    });
    const vars = { UPLOAD_POLICY: 'token' };
    const cfg = await callWith(vars, 'GET', '/api/config');
    expect((await cfg.json<any>()).uploadPolicy).toBe('token');
    expect((await callWith(vars, 'POST', '/api/shares', body())).status).toBe(401);
    expect((await callWith(vars, 'POST', '/api/shares', body('Bearer nope-nope-nope-nope-nope'))).status).toBe(401);
    const ok = await callWith(vars, 'POST', '/api/shares', body(`Bearer ${up.token}`));
    expect(ok.status).toBe(201);
    const { id } = await ok.json<any>();
    expect((await shareRow(id)).token_id).toBe(up.id);
    await callJson('DELETE', `/api/admin/tokens/${up.id}`, { auth: admin() });
    expect((await callWith(vars, 'POST', '/api/shares', body(`Bearer ${up.token}`))).status).toBe(401);
    // An unknown UPLOAD_POLICY value means token, never open.
    expect((await callWith({ UPLOAD_POLICY: 'opne' }, 'POST', '/api/shares', body())).status).toBe(401);
  });
});

describe('revoking an upload token with its shares', () => {
  it('?shares=revoke revokes the live shares that token created, ends their grants, and nothing else', async () => {
    const mint = async (label: string) => (await callJson('POST', '/api/admin/tokens', { auth: admin(), json: { label, scope: 'upload', expiresIn: 3600 } })).body;
    const leaked = await mint('leaked ci');
    const other = await mint('other ci');
    const a = await readyShare({ auth: `Bearer ${leaked.token}` });
    const grant = (await download(a)).grant;
    expect((await getFile(a.id, 0, grant)).status).toBe(200);
    const b = await createShare({ auth: `Bearer ${leaked.token}` }); // still uploading
    const mine = await readyShare({ auth: `Bearer ${other.token}` });
    const open = await readyShare();

    // Bad input changes nothing: an unknown option is refused before anything is revoked.
    expect((await callJson('DELETE', `/api/admin/tokens/${leaked.id}?shares=all`, { auth: admin() })).status).toBe(400);
    expect((await shareRow(a.id)).status).toBe('ready');

    const r = await callJson('DELETE', `/api/admin/tokens/${leaked.id}?shares=revoke`, { auth: admin() });
    expect(r).toMatchObject({ status: 200, body: { ok: true, revokedShares: 2 } });
    expect((await shareRow(a.id)).status).toBe('revoked');
    expect((await shareRow(b.id)).status).toBe('revoked');
    expect((await getFile(a.id, 0, grant)).status).toBe(410);
    expect((await shareRow(mine.id)).status).toBe('ready');
    expect((await shareRow(open.id)).status).toBe('ready');
    const log = await env.DB.prepare(`SELECT detail, token_id FROM access_log WHERE event = 'revoke' AND detail LIKE ?`).bind(`token-shares token=${leaked.id}%`).first();
    expect(log).toEqual({ detail: `token-shares token=${leaked.id} count=2`, token_id: 'bootstrap' });

    // Without the option only the token goes; a second call finds no live shares.
    const plain = await callJson('DELETE', `/api/admin/tokens/${other.id}`, { auth: admin() });
    expect(plain.body).toEqual({ ok: true, revokedShares: 0 });
    expect((await shareRow(mine.id)).status).toBe('ready');
    expect((await callJson('DELETE', `/api/admin/tokens/${leaked.id}?shares=revoke`, { auth: admin() })).body).toEqual({ ok: true, revokedShares: 0 });
  });
});

describe('admin share views', () => {
  it('lists newest first with status filters and cursor paging', async () => {
    const a = await readyShare();
    const b = await createShare();
    const c = await readyShare({ maxDownloads: 1 });
    await download(c);
    const d = await readyShare();
    await callJson('DELETE', `/api/shares/${d.id}`, { auth: `Owner ${d.ownerToken}` });

    const all: any[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await callJson('GET', `/api/admin/shares?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { auth: admin() });
      expect(r.status).toBe(200);
      expect(r.body.shares.length).toBeLessThanOrEqual(2);
      all.push(...r.body.shares);
      cursor = r.body.cursor;
    } while (cursor);
    const ids = all.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const mine = ids.filter((id) => [a.id, b.id, c.id, d.id].includes(id));
    expect(mine).toEqual([d.id, c.id, b.id, a.id]);
    const created = all.map((s) => Date.parse(s.createdAt));
    expect([...created].sort((x, y) => y - x)).toEqual(created);

    const byStatus = async (status: string) =>
      (await callJson('GET', `/api/admin/shares?status=${status}&limit=200`, { auth: admin() })).body.shares.map((s: any) => s.id);
    expect(await byStatus('ready')).toContain(a.id);
    expect(await byStatus('ready')).not.toContain(c.id);
    expect(await byStatus('exhausted')).toContain(c.id);
    expect(await byStatus('uploading')).toContain(b.id);
    expect(await byStatus('revoked')).toContain(d.id);

    const one = all.find((s) => s.id === c.id);
    expect(one).toEqual({
      id: c.id,
      status: 'exhausted',
      createdAt: one.createdAt,
      expiresAt: one.expiresAt,
      bytes: c.sizes[0],
      files: 1,
      maxDownloads: 1,
      downloadsUsed: 1,
      hasPassword: false,
      wrongPasswords: 0,
      reportCount: 0,
    });
    expect((await callJson('GET', '/api/admin/shares?status=bogus', { auth: admin() })).status).toBe(400);
    expect((await callJson('GET', '/api/admin/shares?cursor=%%%', { auth: admin() })).status).toBe(400);
    expect((await callJson('GET', '/api/admin/shares?limit=0', { auth: admin() })).status).toBe(400);
  });

  it('shows one share with its log and reports, and revokes it (ending grants)', async () => {
    const s = await readyShare({ maxDownloads: 5 });
    const d = await download(s);
    const rep = await callJson('POST', `/api/shares/${s.id}/report`, { json: { reason: 'malware =cmd|calc' }, ip: freshIp() });
    expect(rep.status).toBe(202);
    const detail = await callJson('GET', `/api/admin/shares/${s.id}`, { auth: admin() });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: s.id, status: 'ready', downloadsUsed: 1, reportCount: 1 });
    expect(detail.body.reports).toEqual([{ id: expect.any(Number), shareId: s.id, at: expect.any(String), reason: 'malware =cmd|calc', ip: expect.any(String) }]);
    expect(detail.body.log.map((r: any) => r.event)).toEqual(expect.arrayContaining(['create', 'finalize', 'download', 'report']));

    expect((await callJson('GET', '/api/admin/stats', { auth: admin() })).body.openReports).toBeGreaterThanOrEqual(1);
    const rv = await callJson('POST', `/api/admin/shares/${s.id}/revoke`, { auth: admin(), json: {} });
    expect(rv).toMatchObject({ status: 200, body: { status: 'revoked' } });
    expect((await getFile(s.id, 0, d.grant)).status).toBe(410);
    expect((await shareRow(s.id)).revoked_by).toBe('bootstrap');
    const revokeRow = await env.DB.prepare(`SELECT token_id FROM access_log WHERE share_id = ? AND event = 'revoke'`).bind(s.id).first();
    expect(revokeRow).toEqual({ token_id: 'bootstrap' });
    expect((await callJson('GET', `/api/admin/shares/AAAAAAAAAAAAAAAAAAAAAA`, { auth: admin() })).status).toBe(404);
    // DELETE /api/shares/:id with an admin token works too
    const t = await readyShare();
    expect((await callJson('DELETE', `/api/shares/${t.id}`, { auth: admin() })).status).toBe(200);
    expect((await shareRow(t.id)).status).toBe('revoked');
  });

  it('counts stats', async () => {
    const before = (await callJson('GET', '/api/admin/stats', { auth: admin() })).body;
    const s = await readyShare({ sizes: [ciphertextSize(5000)] });
    await download(s);
    const after = (await callJson('GET', '/api/admin/stats', { auth: admin() })).body;
    expect(Object.keys(after).sort()).toEqual(['activeShares', 'downloads24h', 'failedAdminSignIns24h', 'failedAuth24h', 'freeze', 'openReports', 'storedBytes']);
    expect(after.activeShares).toBe(before.activeShares + 1);
    expect(after.storedBytes).toBe(before.storedBytes + s.sizes[0]);
    expect(after.downloads24h).toBe(before.downloads24h + 1);
  });
});

describe('admin log export', () => {
  it('filters by share, event and time, and exports JSON, CSV and JSON Lines', async () => {
    const s = await readyShare();
    const ua = '=HYPERLINK("http://evil.example","x")\u0007';
    await call('GET', `/api/shares/${s.id}`);
    const ch = (await callJson('GET', `/api/shares/${s.id}`)).body.challenge;
    await callJson('POST', `/api/shares/${s.id}/report`, { json: { reason: '+SUM(1,2)' }, headers: { 'User-Agent': ua }, ip: freshIp() });
    expect(ch).toBeTruthy();

    const json = await callJson('GET', `/api/admin/log?share=${s.id}`, { auth: admin() });
    expect(json.status).toBe(200);
    expect(json.body.rows.map((r: any) => r.event)).toEqual(['report', 'finalize', 'create']);
    const report = json.body.rows[0];
    expect(Object.keys(report).sort()).toEqual(['at', 'country', 'detail', 'event', 'id', 'ip', 'outcome', 'shareId', 'tokenId', 'userAgent']);
    expect(report.userAgent).toBe('=HYPERLINK("http://evil.example","x")'); // control character stripped

    const ev = await callJson('GET', `/api/admin/log?share=${s.id}&event=create`, { auth: admin() });
    expect(ev.body.rows).toHaveLength(1);
    const future = await callJson('GET', `/api/admin/log?share=${s.id}&since=${new Date(Date.now() + 60_000).toISOString()}`, { auth: admin() });
    expect(future.body.rows).toEqual([]);
    const past = await callJson('GET', `/api/admin/log?share=${s.id}&until=2000-01-01T00:00:00Z`, { auth: admin() });
    expect(past.body.rows).toEqual([]);

    const csv = await call('GET', `/api/admin/log?share=${s.id}&format=csv`, { auth: admin() });
    expect(csv.headers.get('Content-Type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('"id","at","shareId","event","ip","country","userAgent","outcome","detail","tokenId"');
    expect(lines).toHaveLength(4);
    // Every field quoted; the formula-looking user agent is prefixed with ' and its quotes doubled.
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    for (const line of lines) expect(line.startsWith('"') && line.endsWith('"')).toBe(true);

    const jsonl = await call('GET', `/api/admin/log?share=${s.id}&format=jsonl`, { auth: admin() });
    expect(jsonl.headers.get('Content-Type')).toMatch(/^application\/x-ndjson/);
    const jl = new TextDecoder().decode(await jsonl.arrayBuffer()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(jl).toEqual(json.body.rows);

    for (const bad of ['format=xml', 'since=yesterday', 'share=short', 'event=nope', 'limit=-1', 'extra=1']) {
      const r = await callJson('GET', `/api/admin/log?${bad}`, { auth: admin() });
      expect(r.status, bad).toBe(400);
    }
  });
});
