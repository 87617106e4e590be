import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import { makeGrant } from '../src/lib/grant.ts';
import {
  access,
  b64u,
  call,
  callJson,
  ciphertextSize,
  createBody,
  createShare,
  download,
  equalBytes,
  finalize,
  freshIp,
  getFile,
  newKeys,
  owner,
  PART,
  putPart,
  readyShare,
  shareRow,
  tableCounts,
  uploadAll,
} from './helpers.ts';

describe('config', () => {
  it('answers the limits', async () => {
    const r = await callJson('GET', '/api/config');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      maxFileBytes: 10 * 1024 ** 3,
      maxShareBytes: 20 * 1024 ** 3,
      maxFiles: 1000,
      maxExpirySeconds: 604800,
      defaultExpirySeconds: 86400,
      maxDownloads: 100,
      partBytes: PART,
      uploadPolicy: 'open',
      freeze: null,
    });
  });
});

describe('create, upload, finalize, download', () => {
  it('round-trips a two-file share byte for byte', async () => {
    const s = await createShare({ sizes: [ciphertextSize(1000), ciphertextSize(70000)] });
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s.ownerToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.partBytes).toBe(PART);
    // Invisible to recipients until finalize.
    expect((await callJson('GET', `/api/shares/${s.id}`)).status).toBe(404);
    await uploadAll(s);
    const f = await finalize(s);
    expect(f.status).toBe(200);
    expect(f.body.status).toBe('ready');
    const row = await shareRow(s.id);
    expect(Date.parse(f.body.expiresAt)).toBe(row.expires_at);

    const info = await callJson('GET', `/api/shares/${s.id}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ id: s.id, status: 'ready', expiresAt: f.body.expiresAt, password: null });
    expect(Object.keys(info.body).sort()).toEqual(['challenge', 'expiresAt', 'id', 'password', 'recipients', 'status']);

    const m = await access(s, 'manifest');
    expect(m.status).toBe(200);
    expect(m.body).toEqual({ manifest: b64u(s.manifest), downloadsLeft: 10, expiresAt: f.body.expiresAt });

    const d = await download(s);
    expect(d.manifest).toBe(b64u(s.manifest));
    expect(d.files).toEqual([
      { index: 0, size: s.sizes[0] },
      { index: 1, size: s.sizes[1] },
    ]);
    expect(Date.parse(d.grantExpiresAt)).toBeLessThanOrEqual(row.expires_at);
    for (const i of [0, 1]) {
      const res = await getFile(s.id, i, d.grant);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Length')).toBe(String(s.sizes[i]));
      expect(equalBytes(new Uint8Array(await res.arrayBuffer()), s.contents[i])).toBe(true);
    }
    expect((await shareRow(s.id)).downloads_used).toBe(1);
    // /manifest consumed nothing.
    expect((await access(s, 'manifest')).body.downloadsLeft).toBe(9);
  });

  it('uploads a multi-part file out of order, resumes, and serves it whole', async () => {
    const size = ciphertextSize(2 * PART + 12345);
    const s = await createShare({ sizes: [size, ciphertextSize(10)] });
    // part 2, then part 0 twice (idempotent re-send), then the small file
    expect((await putPart(s, 0, 2)).status).toBe(200);
    expect((await putPart(s, 0, 0)).body).toEqual({ n: 0 });
    expect((await putPart(s, 0, 0)).status).toBe(200);
    expect((await putPart(s, 1, 0)).status).toBe(200);
    const progress = await callJson('GET', `/api/shares/${s.id}/uploads`, { auth: owner(s) });
    expect(progress.body).toEqual({
      files: [
        { index: 0, size, parts: [0, 2] },
        { index: 1, size: s.sizes[1], parts: [0] },
      ],
    });
    // finalize with a part missing fails and changes nothing
    const before = await shareRow(s.id);
    const early = await finalize(s);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('conflict');
    expect(await shareRow(s.id)).toEqual(before);
    // a wrong length is refused and stores nothing
    const short = await putPart(s, 0, 1, s.contents[0].subarray(PART, 2 * PART - 1));
    expect(short.status).toBe(400);
    const long = await putPart(s, 0, 1, s.contents[0].subarray(PART, 2 * PART + 1));
    expect(long.status).toBe(413);
    expect((await callJson('GET', `/api/shares/${s.id}/uploads`, { auth: owner(s) })).body.files[0].parts).toEqual([0, 2]);
    expect((await finalize(s)).status).toBe(409);
    // the missing part, then finalize
    expect((await putPart(s, 0, 1)).status).toBe(200);
    const f = await finalize(s);
    expect(f.status).toBe(200);
    // the same manifest again is 200 with the same answer; a different one 409
    const again = await finalize(s);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(f.body);
    const other = await finalize(s, new Uint8Array(s.manifest.length).fill(7));
    expect(other.status).toBe(409);
    // parts are refused once finalized
    expect((await putPart(s, 0, 1)).status).toBe(409);

    const d = await download(s);
    const res = await getFile(s.id, 0, d.grant);
    expect(equalBytes(new Uint8Array(await res.arrayBuffer()), s.contents[0])).toBe(true);
    expect((await env.BUCKET.head(`shares/${s.id}/0`))!.size).toBe(size);
  });

  it('takes all parts of two multi-part files in parallel (one R2 upload per file)', async () => {
    const s = await createShare({ sizes: [ciphertextSize(2 * PART + 5), ciphertextSize(PART + 1)] });
    const jobs = [0, 1, 2].map((n) => putPart(s, 0, n)).concat([0, 1].map((n) => putPart(s, 1, n)));
    expect((await Promise.all(jobs)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await finalize(s)).status).toBe(200);
    const d = await download(s);
    for (const i of [0, 1]) {
      const res = await getFile(s.id, i, d.grant);
      expect(equalBytes(new Uint8Array(await res.arrayBuffer()), s.contents[i])).toBe(true);
    }
  });

  it('caps part re-sends at 3', async () => {
    const s = await createShare();
    for (let k = 0; k < 4; k++) expect((await putPart(s, 0, 0)).status).toBe(200);
    const fifth = await putPart(s, 0, 0);
    expect(fifth.status).toBe(409);
    expect(fifth.body.error.code).toBe('conflict');
  });

  it('checks the part length from Content-Length before reading and while streaming', async () => {
    const s = await createShare();
    const body = s.contents[0];
    // the announced length differs from the part's length
    expect((await putPart(s, 0, 0, body, { 'Content-Length': String(body.length + 1) })).status).toBe(413);
    // a body shorter than announced
    const lying = await putPart(s, 0, 0, body.subarray(0, body.length - 10), { 'Content-Length': String(body.length) });
    expect(lying.status).toBeGreaterThanOrEqual(400);
    expect(lying.status).toBeLessThan(500);
    expect(await env.BUCKET.head(`shares/${s.id}/0`)).toBeNull();
  });

  it('refuses a stranger and a wrong owner token everywhere', async () => {
    const s = await createShare();
    const other = await createShare();
    const missing = await putPart({ ...s, ownerToken: '' } as any, 0, 0);
    expect(missing.status).toBe(401);
    expect((await putPart({ ...s, ownerToken: other.ownerToken }, 0, 0)).status).toBe(403);
    expect((await callJson('GET', `/api/shares/${s.id}/uploads`, { auth: owner(other) })).status).toBe(403);
    expect((await callJson('GET', `/api/shares/${s.id}/owner`, { auth: owner(other) })).status).toBe(403);
    expect((await callJson('GET', `/api/shares/${s.id}/owner`)).status).toBe(401);
    expect((await callJson('DELETE', `/api/shares/${s.id}`, { auth: owner(other) })).status).toBe(403);
    expect((await finalize({ ...s, ownerToken: other.ownerToken })).status).toBe(403);
  });

  it('refuses reused keys (a link secret is never shared by two shares)', async () => {
    const keys = newKeys();
    await createShare({ keys });
    const again = await callJson('POST', '/api/shares', { json: createBody({}, keys), ip: freshIp() });
    expect(again.status).toBe(409);
  });

  it('stores the password parameters and hands them to recipients', async () => {
    const s = await readyShare({ password: true });
    const info = await callJson('GET', `/api/shares/${s.id}`);
    expect(info.body.password.kdf).toEqual({ alg: 'argon2id', t: 3, m: 65536, p: 1 });
    expect(info.body.password.salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('gives two recipients asking at once different challenges', async () => {
    const s = await readyShare();
    const [a, b] = await Promise.all([callJson('GET', `/api/shares/${s.id}`), callJson('GET', `/api/shares/${s.id}`)]);
    expect(a.body.challenge).not.toBe(b.body.challenge);
  });
});

describe('owner view and revoke', () => {
  it('shows counts and the log, and revoke deletes the objects and ends grants', async () => {
    const s = await readyShare({ maxDownloads: 3 });
    const d = await download(s);
    const o = await callJson('GET', `/api/shares/${s.id}/owner`, { auth: owner(s) });
    expect(o.status).toBe(200);
    expect(o.body).toMatchObject({ status: 'ready', maxDownloads: 3, downloadsUsed: 1, wrongPasswords: 0 });
    expect(o.body.log.map((r: any) => r.event)).toEqual(['download', 'finalize', 'create']);

    const r = await callJson('DELETE', `/api/shares/${s.id}`, { auth: owner(s) });
    expect(r).toMatchObject({ status: 200, body: { status: 'revoked' } });
    expect((await env.BUCKET.list({ prefix: `shares/${s.id}/` })).objects).toHaveLength(0);
    const file = await callJson('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${d.grant}` });
    expect(file.status).toBe(410);
    expect(file.body.error.code).toBe('revoked');
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.code).toBe('revoked');
    expect((await access(s, 'download').catch((e) => e)).message).toContain('410');
    const row = await shareRow(s.id);
    expect([row.link_pub, row.auth_pub, row.pw_salt]).toEqual([null, null, null]);
    // idempotent
    expect((await callJson('DELETE', `/api/shares/${s.id}`, { auth: owner(s) })).status).toBe(200);
    expect((await callJson('GET', `/api/shares/${s.id}/owner`, { auth: owner(s) })).body.status).toBe('revoked');
  });

  it('a finalize that loses to a revoke fails and leaves nothing behind', async () => {
    const s = await createShare({ sizes: [ciphertextSize(PART + 10)] });
    await uploadAll(s);
    expect((await callJson('DELETE', `/api/shares/${s.id}`, { auth: owner(s) })).status).toBe(200);
    const f = await finalize(s);
    expect(f.status).toBe(410);
    expect(f.body.error.code).toBe('revoked');
    expect((await shareRow(s.id)).status).toBe('revoked');
    expect((await env.BUCKET.list({ prefix: `shares/${s.id}/` })).objects).toHaveLength(0);
    expect((await putPart(s, 0, 0)).status).toBe(410);
  });
});

describe('file requests', () => {
  it('honours Range, HEAD and answers 416 past the end', async () => {
    const s = await readyShare({ sizes: [ciphertextSize(50000)] });
    const { grant } = await download(s);
    const size = s.sizes[0];
    const r = await getFile(s.id, 0, grant, { Range: 'bytes=100-199' });
    expect(r.status).toBe(206);
    expect(r.headers.get('Content-Range')).toBe(`bytes 100-199/${size}`);
    expect(r.headers.get('Content-Length')).toBe('100');
    expect(equalBytes(new Uint8Array(await r.arrayBuffer()), s.contents[0].subarray(100, 200))).toBe(true);

    const open = await getFile(s.id, 0, grant, { Range: `bytes=${size - 10}-` });
    expect(open.status).toBe(206);
    expect(equalBytes(new Uint8Array(await open.arrayBuffer()), s.contents[0].subarray(size - 10))).toBe(true);

    const suffix = await getFile(s.id, 0, grant, { Range: 'bytes=-16' });
    expect(suffix.headers.get('Content-Range')).toBe(`bytes ${size - 16}-${size - 1}/${size}`);
    await suffix.arrayBuffer();

    const past = await getFile(s.id, 0, grant, { Range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('Content-Range')).toBe(`bytes */${size}`);
    expect((await past.json<any>()).error.code).toBe('range_not_satisfiable');

    const head = await getFile(s.id, 0, grant, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe(String(size));
    expect(await head.text()).toBe('');

    const full = await getFile(s.id, 0, grant);
    expect(full.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(full.headers.get('Content-Disposition')).toBe('attachment');
    expect(full.headers.get('Cache-Control')).toBe('private, no-store');
    expect(full.headers.get('Content-Security-Policy')).toBe("default-src 'none'; sandbox");
    expect(full.headers.get('X-Content-Type-Options')).toBe('nosniff');
    await full.arrayBuffer();
  });

  it('refuses a grant for another share, a forged grant and a missing one', async () => {
    const a = await readyShare();
    const b = await readyShare();
    const ga = (await download(a)).grant;
    expect((await getFile(b.id, 0, ga)).status).toBe(403);
    const [p, mac] = ga.split('.');
    const forged = `${p}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}`;
    expect((await getFile(a.id, 0, forged)).status).toBe(401);
    expect((await call('GET', `/api/shares/${a.id}/files/0`)).status).toBe(401);
    expect((await call('GET', `/api/shares/${a.id}/files/0`, { auth: `Bearer ${ga}` })).status).toBe(401);
    expect((await getFile(a.id, 5, ga)).status).toBe(404);
  });
});

describe('quotas', () => {
  async function createWith(vars: Record<string, string>, sizes: number[]) {
    const ctx = createExecutionContext();
    const req = new Request('http://sealdrop.test/api/shares', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': freshIp() },
      body: JSON.stringify(createBody({ sizes })),
    });
    const res = await worker.fetch(req as any, { ...env, ...vars }, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: await res.json<any>() };
  }

  it('reserves bytes against the global quota at create, atomically, and refuses what does not fit', async () => {
    const reserved = async () => (await env.DB.prepare('SELECT reserved FROM quota').first<{ reserved: number }>())!.reserved;
    const r0 = await reserved();
    const size = ciphertextSize(100_000);
    const cap = String(r0 + 2 * size + 10);
    const results = await Promise.all([1, 2, 3, 4].map(() => createWith({ QUOTA_BYTES: cap }, [size])));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 413, 413]);
    expect(results.find((r) => r.status === 413)!.body.error.code).toBe('too_large');
    expect(await reserved()).toBe(r0 + 2 * size);
    const before = await tableCounts();
    expect((await createWith({ QUOTA_BYTES: cap }, [size])).status).toBe(413);
    expect(await tableCounts()).toEqual(before);
    // Revoking one releases its reservation.
    const won = results.find((r) => r.status === 201)!.body;
    await callJson('DELETE', `/api/shares/${won.id}`, { auth: owner(won) });
    expect(await reserved()).toBe(r0 + size);
    expect((await createWith({ QUOTA_BYTES: cap }, [size])).status).toBe(201);
  });

  it('honours lowered per-file, per-share and file-count limits', async () => {
    const size = ciphertextSize(1000);
    expect((await createWith({ MAX_FILE_BYTES: String(size - 1) }, [size])).status).toBe(413);
    expect((await createWith({ MAX_SHARE_BYTES: String(2 * size - 1) }, [size, size])).status).toBe(413);
    expect((await createWith({ MAX_FILES: '1' }, [size, size])).status).toBe(400);
    expect((await createWith({ MAX_FILES: '2' }, [size, size])).status).toBe(201);
  });
});

describe('grants', () => {
  it('an expired grant is refused even while the share lives', async () => {
    const s = await readyShare();
    const { grant } = await download(s);
    const gid = JSON.parse(atob(grant.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).gid;
    const old = await makeGrant(env.SERVER_SECRET!, s.id, gid, Date.now() - 1000);
    const r = await callJson('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${old}` });
    expect(r.status).toBe(401);
    // A well-formed grant this server never recorded is refused too.
    const unknown = await makeGrant(env.SERVER_SECRET!, s.id, 'never-issued', Date.now() + 60_000);
    expect((await callJson('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${unknown}` })).status).toBe(401);
    // A grant made with another server secret is refused.
    const foreign = await makeGrant('another-secret-0123456789abcdefghijklmnop', s.id, gid, Date.now() + 60_000);
    expect((await callJson('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${foreign}` })).status).toBe(401);
  });
});

describe('grant byte cap', () => {
  it('a grant reads its share at most 4 times over; ranges count what they send', async () => {
    const s = await readyShare({ sizes: [ciphertextSize(3000)] });
    const { grant } = await download(s);
    for (let k = 0; k < 4; k++) {
      const r = await getFile(s.id, 0, grant);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    const tiny = await getFile(s.id, 0, grant, { Range: 'bytes=0-0' });
    expect(tiny.status).toBe(410);
    expect((await tiny.json<any>()).error.code).toBe('exhausted');
    // HEAD reads nothing and still answers.
    expect((await getFile(s.id, 0, grant, {}, 'HEAD')).status).toBe(200);
    // Another grant has its own allowance.
    const other = await download(s);
    const r = await getFile(s.id, 0, other.grant, { Range: 'bytes=0-99' });
    expect(r.status).toBe(206);
    await r.arrayBuffer();
    const row = await env.DB.prepare('SELECT bytes_served FROM grants WHERE share_id = ? ORDER BY issued_at').bind(s.id).all();
    expect(row.results.map((x: any) => x.bytes_served).sort((a, b) => a - b)).toEqual([100, 4 * s.sizes[0]]);
  });
});
