// Incident response in the admin API (README "Incident response"): advisories on
// revoked shares, the freeze switch, revoke by scope with a dry run, token
// hygiene, failed admin sign-ins in the stats, and log paging.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, callJson, createBody, createShare, download, freshIp, owner, readyShare, shareRow, signBody } from './helpers.ts';

const auth = `Bearer ${ADMIN}`;

describe('advisories', () => {
  it('an admin note on a revoked share replaces "revoked" for recipients, as clean plain text', async () => {
    const s = await readyShare();
    const path = `/api/admin/shares/${s.id}/advisory`;
    // Only a revoked share carries one.
    expect((await callJson('PUT', path, { auth, json: { advisory: 'early' } })).status).toBe(409);
    await callJson('POST', `/api/admin/shares/${s.id}/revoke`, { auth, json: {} });
    const raw = '  This build was <b>compromised</b>;\n\nuse 1.4.3\u202e\u0007  ' + 'x.'.repeat(200); // not one 43-character run: that would be redacted as a link secret
    const set = await callJson('PUT', path, { auth, json: { advisory: raw } });
    expect(set.status).toBe(200);
    const stored: string = set.body.advisory;
    expect(stored.startsWith('This build was <b>compromised</b>; use 1.4.3 x.x.')).toBe(true);
    expect(stored.length).toBe(280);
    expect(stored).not.toMatch(/[\u0000-\u001f\u202e]/);

    const info = await callJson('GET', `/api/shares/${s.id}`);
    expect(info.status).toBe(410);
    expect(info.body.error).toEqual({ code: 'revoked', message: 'this share was revoked', advisory: stored });
    // The signed calls say the same.
    const m = await callJson('POST', `/api/shares/${s.id}/manifest`, { json: signBody(s.keys, 'manifest', s.id, 'AAAA') });
    expect(m.body.error.advisory).toBe(stored);

    // Nothing visible, or too long a body: 400, nothing changes.
    expect((await callJson('PUT', path, { auth, json: { advisory: ' \u200b\n ' } })).status).toBe(400);
    expect((await callJson('PUT', path, { auth, json: { advisory: 'y'.repeat(561) } })).status).toBe(400);
    expect((await shareRow(s.id)).advisory).toBe(stored);
    // A link secret pasted into the note does not reach D1.
    const secret = 'A'.repeat(43);
    const withKey = await callJson('PUT', path, { auth, json: { advisory: `old link https://x.test/s/${s.id}#${secret}` } });
    expect(withKey.body.advisory).not.toContain(secret);
    // null removes it: back to the generic answer.
    expect((await callJson('PUT', path, { auth, json: { advisory: null } })).body).toEqual({ advisory: null });
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.advisory).toBeUndefined();
    const logged = await env.DB.prepare(`SELECT detail FROM access_log WHERE share_id = ? AND detail LIKE 'advisory%' ORDER BY id`).bind(s.id).all();
    expect(logged.results.map((r: any) => r.detail)).toEqual(['advisory set by bootstrap', 'advisory set by bootstrap', 'advisory cleared by bootstrap']);
  });

  it('the owner can attach one to their own revoked share, nobody else', async () => {
    const s = await readyShare();
    const other = await readyShare();
    const path = `/api/shares/${s.id}/advisory`;
    await callJson('DELETE', `/api/shares/${s.id}`, { auth: owner(s) });
    expect((await callJson('PUT', path, { json: { advisory: 'hi' } })).status).toBe(401);
    expect((await callJson('PUT', path, { auth: owner(other), json: { advisory: 'hi' } })).status).toBe(403);
    const r = await callJson('PUT', path, { auth: owner(s), json: { advisory: 'Sent to the wrong person, sorry.' } });
    expect(r.status).toBe(200);
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.advisory).toBe('Sent to the wrong person, sorry.');
    expect((await callJson('PUT', `/api/shares/${other.id}/advisory`, { auth: owner(other), json: { advisory: 'x' } })).status).toBe(409);
  });

  it('revoke by scope can attach one advisory to every share it revokes', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const a = await readyShare();
    const b = await readyShare();
    const until = new Date(Date.now() + 1).toISOString();
    const r = await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'window', since, until, advisory: 'Compromised build; use 1.4.3' } });
    expect(r.body.revoked).toBeGreaterThanOrEqual(2);
    for (const s of [a, b]) expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.advisory).toBe('Compromised build; use 1.4.3');
  });
});

describe('freeze', () => {
  it('stops new shares and new grants with the reason, revokes nothing, and lifts', async () => {
    const s = await readyShare({ maxDownloads: 5 });
    const running = await download(s);
    const reason = 'Incident in progress:\nback at 14:00 UTC';
    const set = await callJson('PUT', '/api/admin/freeze', { auth, json: { reason } });
    expect(set.status).toBe(200);
    expect(set.body.freeze.reason).toBe('Incident in progress: back at 14:00 UTC');
    expect((await callJson('GET', '/api/config')).body.freeze).toEqual(set.body.freeze);
    expect((await callJson('GET', '/api/admin/stats', { auth })).body.freeze).toEqual(set.body.freeze);

    const create = await callJson('POST', '/api/shares', { json: createBody(), ip: freshIp() });
    expect(create.status).toBe(503);
    expect(create.body.error.code).toBe('frozen');
    expect(create.body.error.message).toContain('back at 14:00 UTC');
    const before = (await shareRow(s.id)).downloads_used;
    const ch = (await callJson('GET', `/api/shares/${s.id}`)).body.challenge;
    const dl = await callJson('POST', `/api/shares/${s.id}/download`, { json: signBody(s.keys, 'download', s.id, ch) });
    expect(dl.status).toBe(503);
    expect(dl.body.error.code).toBe('frozen');
    expect((await shareRow(s.id)).downloads_used).toBe(before);
    // Not a revocation: the share stays ready, a grant issued before keeps working, the manifest can be read.
    expect((await shareRow(s.id)).status).toBe('ready');
    const f = await callJson('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${running.grant}` });
    expect(f.status).toBe(200);
    expect((await callJson('POST', `/api/shares/${s.id}/manifest`, { json: signBody(s.keys, 'manifest', s.id, ch) })).status).toBe(200);

    expect((await callJson('PUT', '/api/admin/freeze', { auth, json: { reason: '\u0000 ' } })).status).toBe(400);
    expect((await callJson('PUT', '/api/admin/freeze', { json: { reason: 'x' } })).status).toBe(401);

    const lift = await callJson('DELETE', '/api/admin/freeze', { auth });
    expect(lift.body).toEqual({ freeze: null });
    expect((await callJson('GET', '/api/config')).body.freeze).toBeNull();
    expect((await callJson('POST', '/api/shares', { json: createBody(), ip: freshIp() })).status).toBe(201);
    const ch2 = (await callJson('GET', `/api/shares/${s.id}`)).body.challenge;
    expect((await callJson('POST', `/api/shares/${s.id}/download`, { json: signBody(s.keys, 'download', s.id, ch2) })).status).toBe(200);
    const log = await env.DB.prepare(`SELECT detail FROM access_log WHERE event = 'admin' AND (detail LIKE 'freeze %' OR detail LIKE 'unfreeze%') ORDER BY id`).all();
    expect(log.results.map((r: any) => r.detail)).toEqual(['freeze reason="Incident in progress: back at 14:00 UTC"', 'unfreeze']);
  });
});

describe('revoke by scope', () => {
  const mintUpload = async (label: string) =>
    (await callJson('POST', '/api/admin/tokens', { auth, json: { label, scope: 'upload', expiresIn: 3600 } })).body;

  it('by token and by token label: a dry run counts, the run revokes exactly that, and logs it', async () => {
    const t1 = await mintUpload('ci-scope');
    const t2 = await mintUpload('ci-scope');
    const t3 = await mintUpload('other-scope');
    const by = (t: any) => createShare({ auth: `Bearer ${t.token}` });
    const s1 = [await by(t1), await by(t1)];
    const s2 = [await by(t2)];
    const s3 = [await by(t3)];
    const unrelated = await readyShare();

    const dry = await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'token', token: t1.id, dryRun: true } });
    expect(dry.body).toEqual({ dryRun: true, revoked: 2, grantsEnded: 0, purgePending: 0 });
    for (const s of s1) expect((await shareRow(s.id)).status).toBe('uploading');

    const run = await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'token', token: t1.id } });
    expect(run.body).toMatchObject({ dryRun: false, revoked: 2 });
    for (const s of s1) expect((await shareRow(s.id)).status).toBe('revoked');
    expect((await shareRow(s2[0].id)).status).toBe('uploading');

    const dryLabel = await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'label', label: 'ci-scope', dryRun: true } });
    expect(dryLabel.body.revoked).toBe(1);
    expect((await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'label', label: 'ci-scope' } })).body.revoked).toBe(1);
    expect((await shareRow(s2[0].id)).status).toBe('revoked');
    expect((await shareRow(s3[0].id)).status).toBe('uploading');
    expect((await shareRow(unrelated.id)).status).toBe('ready');

    const lines = await env.DB.prepare(`SELECT detail FROM access_log WHERE event = 'revoke' AND (detail LIKE ? OR detail LIKE 'scope=label label="ci-scope"%') ORDER BY id`)
      .bind(`scope=token token=${t1.id}%`)
      .all();
    expect(lines.results.map((r: any) => r.detail.replace(/ pending=\d+/, ''))).toEqual([
      `scope=token token=${t1.id} count=2 grants=0`,
      'scope=label label="ci-scope" count=1 grants=0',
    ]);
  });

  it('by partner label: the shares carrying a key:value label, inherited from their token or given at create', async () => {
    const acme = (await callJson('POST', '/api/admin/tokens', { auth, json: { label: 'pipeline', scope: 'upload', expiresIn: 3600, labels: ['partner:acme'] } })).body;
    const inherited = await createShare({ auth: `Bearer ${acme.token}` });
    const given = await callJson('POST', '/api/shares', { json: { ...createBody(), labels: ['partner:acme', 'release:2026-12'] }, ip: freshIp() });
    expect(given.status).toBe(201);
    const otherPartner = await callJson('POST', '/api/shares', { json: { ...createBody(), labels: ['partner:globex'] }, ip: freshIp() });
    const unlabelled = await readyShare();

    const dry = await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'label', label: 'partner:acme', dryRun: true } });
    expect(dry.body.revoked).toBe(2);
    expect((await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'label', label: 'partner:acme' } })).body.revoked).toBe(2);
    expect((await shareRow(inherited.id)).status).toBe('revoked');
    expect((await shareRow(given.body.id)).status).toBe('revoked');
    expect((await shareRow(otherPartner.body.id)).status).toBe('uploading');
    expect((await shareRow(unlabelled.id)).status).toBe('ready');
  });

  it('by time window: only shares created in [since, until), only live ones', async () => {
    const old = await readyShare();
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const inWindow = await readyShare();
    const exhausted = await readyShare({ maxDownloads: 1 });
    await download(exhausted);
    await new Promise((r) => setTimeout(r, 5));
    const until = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const later = await readyShare();

    const dry = await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'window', since, until, dryRun: true } });
    expect(dry.body).toEqual({ dryRun: true, revoked: 1, grantsEnded: 1, purgePending: 0 });
    const run = await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'window', since, until } });
    expect(run.body).toMatchObject({ dryRun: false, revoked: 1, grantsEnded: 1 });
    expect((await shareRow(inWindow.id)).status).toBe('revoked');
    expect((await shareRow(exhausted.id)).status).toBe('ready');
    expect((await shareRow(old.id)).status).toBe('ready');
    expect((await shareRow(later.id)).status).toBe('ready');

    expect((await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'window', since: until, until: since } })).status).toBe(400);
    expect((await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'planet' } })).status).toBe(400);
    expect((await callJson('POST', '/api/admin/revoke', { auth, json: { scope: 'token', token: 'nope' } })).status).toBe(400);
  });
});

describe('token hygiene', () => {
  it('each token shows when it was created and last used, and how many shares it made', async () => {
    const t = (await callJson('POST', '/api/admin/tokens', { auth, json: { label: 'hygiene', scope: 'upload', expiresIn: 3600 } })).body;
    const find = async () => (await callJson('GET', '/api/admin/tokens', { auth })).body.tokens.find((x: any) => x.id === t.id);
    expect(await find()).toMatchObject({ lastUsedAt: null, shares: 0, createdBy: 'bootstrap', createdAt: t.createdAt });
    const t0 = Date.now();
    await createShare({ auth: `Bearer ${t.token}` });
    await createShare({ auth: `Bearer ${t.token}` });
    const after = await find();
    expect(after.shares).toBe(2);
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThanOrEqual(t0 - 1000);
  });
});

describe('failed admin sign-ins', () => {
  it('are counted in the stats', async () => {
    const before = (await callJson('GET', '/api/admin/stats', { auth })).body.failedAdminSignIns24h;
    await Promise.all(Array.from({ length: 7 }, (_, i) => callJson('GET', '/api/admin/stats', { auth: `Bearer wrong-${i}-0123456789abcdef` })));
    await callJson('GET', '/api/admin/shares');
    const after = (await callJson('GET', '/api/admin/stats', { auth })).body.failedAdminSignIns24h;
    expect(after - before).toBe(8);
  });
});

describe('admin log paging', () => {
  it('pages newest first with a cursor, without gaps or repeats', async () => {
    const s = await readyShare();
    for (let i = 0; i < 7; i++) await callJson('GET', `/api/shares/${s.id}`);
    const all = (await callJson('GET', `/api/admin/log?share=${s.id}`, { auth })).body;
    expect(all.cursor).toBeNull();
    const seen: number[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const page: any = (await callJson('GET', `/api/admin/log?share=${s.id}&limit=3${before ? `&before=${before}` : ''}`, { auth })).body;
      expect(page.rows.length).toBeLessThanOrEqual(3);
      seen.push(...page.rows.map((r: any) => r.id));
      before = page.cursor;
      pages++;
    } while (before);
    expect(seen).toEqual(all.rows.map((r: any) => r.id));
    expect(pages).toBe(Math.ceil(all.rows.length / 3));
    expect((await callJson('GET', '/api/admin/log?before=abc', { auth })).status).toBe(400);
  });
});
