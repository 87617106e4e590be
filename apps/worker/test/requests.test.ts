// v1.1 file requests: create (owner token stored hashed), public info, shares
// counted against the request atomically (shares and bytes), request shares must
// be sealed, the owner's list, closing (optionally revoking its shares), the admin
// views, the log events, and malformed input answered 4xx with nothing stored.
import { b64uDecode, deriveShareKeys, generateIdentity, generateLinkSecret, sealToRecipients, sha256Hex } from '@sealdrop/crypto';
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../src/index.ts';
import { describe, expect, it } from 'vitest';
import { ADMIN, b64u, callJson, ciphertextSize, createBody, freshIp, owner, partOf, putPart, shareRow, type Keys, type Share } from './helpers.ts';

const requester = generateIdentity();
const SIZE = ciphertextSize(1000);

async function newRequest(o: { maxShares?: number; maxBytes?: number; expiresIn?: number } = {}) {
  const r = await callJson('POST', '/api/requests', {
    json: { recipient: requester.recipient.text, expiresIn: o.expiresIn ?? 3600, maxShares: o.maxShares ?? 5, maxBytes: o.maxBytes ?? 10 * SIZE },
    ip: freshIp(),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; ownerToken: string; expiresAt: string };
}

async function s2keys(): Promise<{ keys: Keys; secret: Uint8Array }> {
  const secret = b64uDecode(generateLinkSecret(), 32);
  const k = await deriveShareKeys(secret, null);
  return { secret, keys: { linkSeed: k.linkSeed, linkPub: k.linkPub, authSeed: k.authSeed, authPub: k.authPub } };
}

/** POST /api/shares against a request (no token), as a sender's client does. */
async function createRequestShare(rid: string, sizes = [SIZE]) {
  const { keys, secret } = await s2keys();
  const r = await callJson('POST', '/api/shares', { json: { ...createBody({ sizes }, keys), request: rid }, ip: freshIp() });
  return { r, keys, secret, sizes };
}

/** A request share uploaded and finalized with a stanza to the requester. */
async function sendToRequest(rid: string): Promise<Share & { secret: Uint8Array }> {
  const { r, keys, secret, sizes } = await createRequestShare(rid);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const s: Share = { ...r.body, keys, sizes, contents: sizes.map((n) => crypto.getRandomValues(new Uint8Array(n))), manifest: crypto.getRandomValues(new Uint8Array(ciphertextSize(4096))) };
  expect((await putPart(s, 0, 0, partOf(s, 0, 0))).status).toBe(200);
  const stanzas = await sealToRecipients(secret, [requester.recipient], s.id);
  const f = await callJson('POST', `/api/shares/${s.id}/finalize`, { json: { manifest: b64u(s.manifest), recipients: stanzas }, auth: owner(s) });
  expect(f.status, JSON.stringify(f.body)).toBe(200);
  return { ...s, secret };
}

const count = async (table: string) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe('creating a request', () => {
  it('answers {id, ownerToken, expiresAt}; stores the token only as its SHA-256; GET shows the recipient', async () => {
    const req = await newRequest({ maxShares: 3, maxBytes: 5 * SIZE });
    expect(req.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b64uDecode(req.ownerToken)).toHaveLength(32);
    const row = (await env.DB.prepare('SELECT * FROM requests WHERE id = ?').bind(req.id).first())!;
    expect(row.owner_hash).toBe(await sha256Hex(new TextEncoder().encode(req.ownerToken)));
    expect(JSON.stringify(await env.DB.prepare('SELECT * FROM requests').all())).not.toContain(req.ownerToken);
    const info = await callJson('GET', `/api/requests/${req.id}`);
    expect(info.status).toBe(200);
    expect(info.body).toEqual({ id: req.id, status: 'open', expiresAt: req.expiresAt, recipient: requester.recipient.text, sharesLeft: 3, bytesLeft: 5 * SIZE });
    const log = await env.DB.prepare(`SELECT * FROM access_log WHERE event = 'request_create' AND detail LIKE ?`).bind(`%${req.id}%`).all();
    expect(log.results).toHaveLength(1);
  });

  it('malformed requests are 4xx JSON and store nothing', async () => {
    const good = { recipient: requester.recipient.text, expiresIn: 3600, maxShares: 5, maxBytes: SIZE };
    const before = await count('requests');
    const cases: [unknown, number, RegExp?][] = [
      [{ ...good, recipient: requester.text }, 400, /secret identity/],
      [{ ...good, recipient: requester.recipient.text.slice(0, -1) }, 400, /1622 characters/],
      [{ ...good, recipient: requester.recipient.text.replace('sealdrop-pq1:', 'sealdrop-pq2:') }, 400, /must start with "sealdrop-pq1:"/],
      [{ ...good, recipient: 42 }, 400],
      [{ ...good, maxShares: 0 }, 400],
      [{ ...good, maxShares: 101 }, 400],
      [{ ...good, maxShares: 1.5 }, 400],
      [{ ...good, maxBytes: 0 }, 400],
      [{ ...good, maxBytes: 21474836480 + 1 }, 400, /maxShareBytes/],
      [{ ...good, expiresIn: 365 * 86400 }, 400],
      [{ recipient: good.recipient, expiresIn: 3600, maxShares: 5 }, 400],
      [{ ...good, extra: true }, 400],
      [[good], 400],
    ];
    for (const [json, status, msg] of cases) {
      const r = await callJson('POST', '/api/requests', { json, ip: freshIp() });
      expect(r.status, JSON.stringify(json).slice(0, 60)).toBe(status);
      expect(r.body.error.code).toBe('bad_request');
      if (msg) expect(r.body.error.message).toMatch(msg);
    }
    const notJson = await callJson('POST', '/api/requests', { body: JSON.stringify(good), headers: { 'Content-Type': 'text/plain' }, ip: freshIp() });
    expect(notJson.status).toBe(415);
    expect(await count('requests')).toBe(before);
  });

  it('unknown and malformed request ids are 404 (GET, shares, DELETE), and a share naming one stores nothing', async () => {
    for (const rid of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', 'AAAAAAAAAAAAAAAAAAAAA*', 'A'.repeat(23)]) {
      expect((await callJson('GET', `/api/requests/${encodeURIComponent(rid)}`)).status).toBe(404);
      expect((await callJson('GET', `/api/requests/${encodeURIComponent(rid)}/shares`, { auth: 'Owner x' })).status).toBe(404);
      expect((await callJson('DELETE', `/api/requests/${encodeURIComponent(rid)}`, { auth: 'Owner x' })).status).toBe(404);
    }
    const before = await count('shares');
    expect((await createRequestShare('AAAAAAAAAAAAAAAAAAAAAA')).r.status).toBe(404);
    const bad = await createRequestShare('not-a-request-id');
    expect(bad.r.status).toBe(400);
    expect(await count('shares')).toBe(before);
  });
});

describe('sending to a request', () => {
  it('counts shares and bytes; a request share must carry a stanza; the owner lists finalized shares newest first', async () => {
    const req = await newRequest({ maxShares: 3, maxBytes: 10 * SIZE });
    // Created but not sealed: 409 at finalize, and the owner does not see it.
    const { r, keys, sizes } = await createRequestShare(req.id);
    expect(r.status).toBe(201);
    const unsealed: Share = { ...r.body, keys, sizes, contents: [crypto.getRandomValues(new Uint8Array(SIZE))], manifest: crypto.getRandomValues(new Uint8Array(ciphertextSize(4096))) };
    expect((await putPart(unsealed, 0, 0)).status).toBe(200);
    const f = await callJson('POST', `/api/shares/${unsealed.id}/finalize`, { json: { manifest: b64u(unsealed.manifest) }, auth: owner(unsealed) });
    expect(f.status).toBe(409);
    expect(f.body.error.message).toMatch(/sealed/);
    expect((await shareRow(unsealed.id)).status).toBe('uploading');

    const a = await sendToRequest(req.id);
    const b = await sendToRequest(req.id);
    // The unsealed share counts too: it was created against the request.
    expect(await env.DB.prepare('SELECT shares_used, bytes_used FROM requests WHERE id = ?').bind(req.id).first()).toEqual({ shares_used: 3, bytes_used: 3 * SIZE });
    const list = await callJson('GET', `/api/requests/${req.id}/shares`, { auth: `Owner ${req.ownerToken}` });
    expect(list.status).toBe(200);
    expect(list.body.shares.map((s: { id: string }) => s.id)).toEqual([b.id, a.id]);
    expect(list.body.shares[0]).toEqual({ id: b.id, status: 'ready', createdAt: expect.any(String), expiresAt: expect.any(String), bytes: SIZE, files: 1, downloadsLeft: 10 });
    // The share itself: sealed, fragment-less, with the stanza the requester opens.
    expect((await callJson('GET', `/api/shares/${a.id}`)).body.recipients).toHaveLength(1);
    // No share is left: 410 exhausted, and nothing is stored.
    const before = await count('shares');
    const over = await createRequestShare(req.id);
    expect(over.r.status).toBe(410);
    expect(over.r.body.error.code).toBe('exhausted');
    expect(await count('shares')).toBe(before);
    expect((await callJson('GET', `/api/requests/${req.id}`)).body.error.code).toBe('exhausted');
    // The owner still sees what arrived.
    expect((await callJson('GET', `/api/requests/${req.id}/shares`, { auth: `Owner ${req.ownerToken}` })).body.shares).toHaveLength(2);
    const shareLog = await env.DB.prepare(`SELECT share_id FROM access_log WHERE event = 'request_share' AND detail LIKE ?`).bind(`%${req.id}%`).all();
    expect(shareLog.results.map((x) => x.share_id).sort()).toEqual([unsealed.id, a.id, b.id].sort());
  });

  it('a share over the bytes left is 413 and stores nothing', async () => {
    const req = await newRequest({ maxShares: 5, maxBytes: SIZE + 100 });
    const before = await count('shares');
    const big = await createRequestShare(req.id, [ciphertextSize(2000)]);
    expect(big.r.status).toBe(413);
    expect(big.r.body.error.code).toBe('too_large');
    expect(await count('shares')).toBe(before);
    expect((await callJson('GET', `/api/requests/${req.id}`)).body).toMatchObject({ sharesLeft: 5, bytesLeft: SIZE + 100 });
    expect((await createRequestShare(req.id)).r.status).toBe(201);
  });

  it('owner token: none is 401, another one is 403', async () => {
    const req = await newRequest();
    const other = await newRequest();
    expect((await callJson('GET', `/api/requests/${req.id}/shares`)).status).toBe(401);
    expect((await callJson('GET', `/api/requests/${req.id}/shares`, { auth: `Owner ${other.ownerToken}` })).status).toBe(403);
    expect((await callJson('DELETE', `/api/requests/${req.id}`, { auth: `Owner ${other.ownerToken}` })).status).toBe(403);
    expect((await callJson('DELETE', `/api/requests/${req.id}`)).status).toBe(401);
    expect((await callJson('GET', `/api/requests/${req.id}`)).status).toBe(200);
  });

  it('an expired request is 410 expired, for GET and for new shares', async () => {
    const req = await newRequest();
    await env.DB.prepare('UPDATE requests SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, req.id).run();
    expect((await callJson('GET', `/api/requests/${req.id}`)).body.error.code).toBe('expired');
    expect((await createRequestShare(req.id)).r.body.error.code).toBe('expired');
  });
});

describe('concurrency', () => {
  it('200 concurrent creates on a request with 7 shares left give exactly 7 shares', async () => {
    const req = await newRequest({ maxShares: 10, maxBytes: 1000 * SIZE });
    for (let i = 0; i < 3; i++) expect((await createRequestShare(req.id)).r.status).toBe(201);
    const bodies = await Promise.all(Array.from({ length: 200 }, async () => ({ ...createBody({ sizes: [SIZE] }, (await s2keys()).keys), request: req.id })));
    const results = await Promise.all(bodies.map((json) => callJson('POST', '/api/shares', { json, ip: freshIp() })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(7);
    expect(statuses.filter((s) => s === 410)).toHaveLength(193);
    expect(results.filter((r) => r.status === 410).every((r) => r.body.error.code === 'exhausted')).toBe(true);
    const row = (await env.DB.prepare('SELECT shares_used, bytes_used FROM requests WHERE id = ?').bind(req.id).first<{ shares_used: number; bytes_used: number }>())!;
    expect(row).toEqual({ shares_used: 10, bytes_used: 10 * SIZE });
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM shares WHERE request_id = ?').bind(req.id).first<{ n: number }>())!.n).toBe(10);
  });

  it('150 concurrent creates against a byte cap that fits 4 give exactly 4', async () => {
    const req = await newRequest({ maxShares: 100, maxBytes: 4 * SIZE + SIZE - 1 });
    const bodies = await Promise.all(Array.from({ length: 150 }, async () => ({ ...createBody({ sizes: [SIZE] }, (await s2keys()).keys), request: req.id })));
    const results = await Promise.all(bodies.map((json) => callJson('POST', '/api/shares', { json, ip: freshIp() })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    expect(results.filter((r) => r.status === 413)).toHaveLength(146);
    expect((await env.DB.prepare('SELECT bytes_used FROM requests WHERE id = ?').bind(req.id).first<{ bytes_used: number }>())!.bytes_used).toBe(4 * SIZE);
  });
});

describe('closing', () => {
  it('the owner closes it: 410 revoked from then on; repeating is 200; its shares live on unless asked', async () => {
    const req = await newRequest();
    const s = await sendToRequest(req.id);
    const closed = await callJson('DELETE', `/api/requests/${req.id}`, { auth: `Owner ${req.ownerToken}` });
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ status: 'revoked', revokedShares: 0 });
    expect((await callJson('GET', `/api/requests/${req.id}`)).body.error.code).toBe('revoked');
    expect((await createRequestShare(req.id)).r.body.error.code).toBe('revoked');
    expect((await callJson('GET', `/api/shares/${s.id}`)).status).toBe(200);
    expect((await callJson('DELETE', `/api/requests/${req.id}`, { auth: `Owner ${req.ownerToken}` })).status).toBe(200);
    const log = await env.DB.prepare(`SELECT * FROM access_log WHERE event = 'request_close' AND detail LIKE ?`).bind(`%${req.id}%`).all();
    expect(log.results).toHaveLength(1);
  });

  it('?shares=revoke revokes every share sent to it, and no other', async () => {
    const req = await newRequest();
    const [a, b] = [await sendToRequest(req.id), await sendToRequest(req.id)];
    const bystander = await sendToRequest((await newRequest()).id);
    const closed = await callJson('DELETE', `/api/requests/${req.id}?shares=revoke`, { auth: `Owner ${req.ownerToken}` });
    expect(closed.body).toEqual({ status: 'revoked', revokedShares: 2 });
    for (const s of [a, b]) expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.code).toBe('revoked');
    expect((await callJson('GET', `/api/shares/${bystander.id}`)).status).toBe(200);
    expect((await callJson('DELETE', `/api/requests/${req.id}?shares=nope`, { auth: `Owner ${req.ownerToken}` })).status).toBe(400);
  });
});

describe('admin', () => {
  it('lists requests, shows one with all its shares, and closes one with ?shares=revoke', async () => {
    const req = await newRequest({ maxShares: 4 });
    const s = await sendToRequest(req.id);
    const pending = await createRequestShare(req.id);
    expect((await callJson('GET', '/api/admin/requests')).status).toBe(401);
    const list = await callJson('GET', '/api/admin/requests?limit=200', { auth: `Bearer ${ADMIN}` });
    expect(list.status).toBe(200);
    const mine = list.body.requests.find((r: { id: string }) => r.id === req.id);
    expect(mine).toEqual({ id: req.id, status: 'open', createdAt: expect.any(String), expiresAt: req.expiresAt, fingerprint: requester.recipient.fingerprint, maxShares: 4, sharesUsed: 2, maxBytes: 10 * SIZE, bytesUsed: 2 * SIZE });
    const detail = await callJson('GET', `/api/admin/requests/${req.id}`, { auth: `Bearer ${ADMIN}` });
    expect(detail.body.recipient).toBe(requester.recipient.text);
    expect(detail.body.shares.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([
      [pending.r.body.id, 'uploading'],
      [s.id, 'ready'],
    ]);
    expect((await callJson('GET', '/api/admin/requests/AAAAAAAAAAAAAAAAAAAAAA', { auth: `Bearer ${ADMIN}` })).status).toBe(404);
    expect((await callJson('DELETE', `/api/requests/${req.id}?shares=revoke`, { auth: 'Bearer wrong-token-0123456789abcdef' })).status).toBe(401);
    const closed = await callJson('DELETE', `/api/requests/${req.id}?shares=revoke`, { auth: `Bearer ${ADMIN}` });
    expect(closed.body).toEqual({ status: 'revoked', revokedShares: 2 });
    expect((await callJson('GET', `/api/admin/requests/${req.id}`, { auth: `Bearer ${ADMIN}` })).body.status).toBe('revoked');
    const adminLog = await env.DB.prepare(`SELECT * FROM access_log WHERE event = 'request_close' AND detail LIKE ? AND token_id = 'bootstrap'`).bind(`%${req.id}%`).all();
    expect(adminLog.results).toHaveLength(1);
    // paging
    const page = await callJson('GET', '/api/admin/requests?limit=1', { auth: `Bearer ${ADMIN}` });
    expect(page.body.requests).toHaveLength(1);
    const next = await callJson('GET', `/api/admin/requests?limit=1&cursor=${page.body.cursor}`, { auth: `Bearer ${ADMIN}` });
    expect(next.body.requests[0].id).not.toBe(page.body.requests[0].id);
  });
});


describe('with UPLOAD_POLICY=token', () => {
  async function asTokenServer(path: string, json: unknown, auth?: string) {
    const ctx = createExecutionContext();
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'CF-Connecting-IP': freshIp(), ...(auth ? { Authorization: auth } : {}) };
    const res = await worker.fetch(new Request(`http://sealdrop.test${path}`, { method: 'POST', headers, body: JSON.stringify(json) }) as any, { ...env, UPLOAD_POLICY: 'token' }, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: await res.json<any>() };
  }

  it('creating a request needs an upload token; sending to it needs none (the request is the permission)', async () => {
    const up = (await callJson('POST', '/api/admin/tokens', { auth: `Bearer ${ADMIN}`, json: { label: 'requests', scope: 'upload', expiresIn: 3600 } })).body;
    const reqBody = { recipient: requester.recipient.text, expiresIn: 3600, maxShares: 1, maxBytes: SIZE };
    expect((await asTokenServer('/api/requests', reqBody)).status).toBe(401);
    const made = await asTokenServer('/api/requests', reqBody, `Bearer ${up.token}`);
    expect(made.status).toBe(201);
    const { keys } = await s2keys();
    expect((await asTokenServer('/api/shares', createBody({ sizes: [SIZE] }, keys))).status).toBe(401);
    const sent = await asTokenServer('/api/shares', { ...createBody({ sizes: [SIZE] }, keys), request: made.body.id });
    expect(sent.status).toBe(201);
    expect((await shareRow(sent.body.id)).request_id).toBe(made.body.id);
    // Used up: a request is not a token for further shares.
    expect((await asTokenServer('/api/shares', { ...createBody({ sizes: [SIZE] }, (await s2keys()).keys), request: made.body.id })).status).toBe(410);
  });
});
