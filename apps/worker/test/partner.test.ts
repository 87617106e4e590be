// Partner access: labels on tokens and shares, download tokens a share can
// require, revocation ending a partner's access at once, place and network rules.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  call,
  callJson,
  challenge,
  createBody,
  download,
  finalize,
  freshIp,
  getFile,
  newKeys,
  readyShare,
  signBody,
  uploadAll,
  type Share,
} from './helpers.ts';

const admin = `Bearer ${ADMIN}`;

async function mint(scope: 'upload' | 'download' | 'admin', labels?: string[]) {
  const r = await callJson('POST', '/api/admin/tokens', { auth: admin, json: { label: `t-${scope}`, scope, expiresIn: 3600, labels } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; token: string; labels: string[]; scope: string };
}

/** A ready share created with `extra` fields in the create body (and optionally a token). */
async function ruledShare(extra: Record<string, unknown>, auth?: string, ip = freshIp()): Promise<Share> {
  const keys = newKeys();
  const body = { ...createBody({}, keys), ...extra };
  const r = await callJson('POST', '/api/shares', { json: body, ip, auth });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  const s: Share = {
    ...r.body,
    keys,
    sizes: [body.files[0].size],
    contents: [crypto.getRandomValues(new Uint8Array(body.files[0].size))],
    manifest: crypto.getRandomValues(new Uint8Array(4096 + 72)),
  };
  await uploadAll(s);
  expect((await finalize(s)).status).toBe(200);
  return s;
}

async function accessWith(s: Share, action: 'manifest' | 'download', o: { auth?: string; ip?: string; headers?: Record<string, string> } = {}) {
  const ch = await challenge(s.id, o.ip);
  return callJson('POST', `/api/shares/${s.id}/${action}`, { json: signBody(s.keys, action, s.id, ch), auth: o.auth, ip: o.ip, headers: o.headers });
}

describe('labels', () => {
  it('refuses malformed, repeated and too many labels, on tokens and shares, changing nothing', async () => {
    const before = (await env.DB.prepare('SELECT COUNT(*) AS n FROM api_tokens').first<{ n: number }>())!.n;
    for (const labels of [['nocolon'], ['Key:upper'], ['k:has space'], ['k:v', 'k:v'], Array.from({ length: 11 }, (_, i) => `k:${i}`), [`k:${'x'.repeat(65)}`]]) {
      const r = await callJson('POST', '/api/admin/tokens', { auth: admin, json: { label: 'x', scope: 'upload', expiresIn: 60, labels } });
      expect(r.status, JSON.stringify(labels)).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
      const s = await callJson('POST', '/api/shares', { json: { ...createBody(), labels }, ip: freshIp() });
      expect(s.status).toBe(400);
    }
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM api_tokens').first<{ n: number }>())!.n).toBe(before);
  });

  it('a share made with a token inherits its labels; admins filter shares, log and stats by label', async () => {
    const tag = `release:${crypto.randomUUID().slice(0, 8)}`;
    const up = await mint('upload', ['partner:acme', tag]);
    expect(up.labels).toEqual(['partner:acme', tag]);
    const s = await ruledShare({ labels: ['team:build'] }, `Bearer ${up.token}`);
    const other = await readyShare();
    await download(s);
    await download(other);

    const list = await callJson('GET', `/api/admin/shares?label=${encodeURIComponent(tag)}`, { auth: admin });
    expect(list.status).toBe(200);
    expect(list.body.shares.map((x: { id: string }) => x.id)).toEqual([s.id]);
    expect(list.body.shares[0].labels).toEqual(['partner:acme', tag, 'team:build']);

    const log = await callJson('GET', `/api/admin/log?label=${encodeURIComponent(tag)}`, { auth: admin });
    expect(new Set(log.body.rows.map((r: { shareId: string }) => r.shareId))).toEqual(new Set([s.id]));
    expect(log.body.rows.map((r: { event: string }) => r.event)).toContain('download');

    const stats = await callJson('GET', `/api/admin/stats?label=${encodeURIComponent(tag)}`, { auth: admin });
    expect(stats.body).toMatchObject({ activeShares: 1, downloads24h: 1, storedBytes: s.sizes[0] });
    expect((await callJson('GET', '/api/admin/stats?label=bad', { auth: admin })).status).toBe(400);

    const tokens = await callJson('GET', '/api/admin/tokens', { auth: admin });
    expect(tokens.body.tokens.find((t: { id: string }) => t.id === up.id).labels).toEqual(['partner:acme', tag]);
  });
});

describe('partner download tokens', () => {
  it('a share that requires one: link alone, wrong label, upload token and revoked token are refused with their own codes', async () => {
    const acme = await mint('download', ['partner:acme']);
    const globex = await mint('download', ['partner:globex']);
    const upload = await mint('upload', ['partner:acme']);
    const s = await ruledShare({ requireLabel: 'partner:acme' });

    const info = await callJson('GET', `/api/shares/${s.id}`);
    expect(info.body.requiresToken).toBe(true);

    const alone = await accessWith(s, 'manifest');
    expect(alone.status).toBe(401);
    expect(alone.body.error.code).toBe('partner_token_required');
    expect(alone.body.error.message).toMatch(/partner token/);
    for (const auth of [`Bearer ${globex.token}`, `Bearer ${upload.token}`, `Bearer ${ADMIN}`, 'Bearer sdd_not-a-token-at-all-xxxxxxxx']) {
      for (const action of ['manifest', 'download'] as const) {
        const r = await accessWith(s, action, { auth });
        expect(r.status, auth).toBe(403);
        expect(r.body.error.code).toBe('partner_token_refused');
      }
    }
    // None of the refusals spent a download.
    expect((await env.DB.prepare('SELECT downloads_used FROM shares WHERE id = ?').bind(s.id).first<{ downloads_used: number }>())!.downloads_used).toBe(0);

    const ok = await accessWith(s, 'manifest', { auth: `Bearer ${acme.token}` });
    expect(ok.status).toBe(200);
    const dl = await accessWith(s, 'download', { auth: `Bearer ${acme.token}` });
    expect(dl.status).toBe(200);
    const f = await getFile(s.id, 0, dl.body.grant);
    expect(f.status).toBe(200);
    expect(new Uint8Array(await f.arrayBuffer())).toEqual(s.contents[0]);

    const refused = await callJson('GET', `/api/admin/log?share=${s.id}&event=partner_refused`, { auth: admin });
    expect(refused.body.rows.length).toBe(1 + 8);

    // A share without the rule ignores a partner token.
    const plain = await readyShare();
    expect((await accessWith(plain, 'manifest', { auth: `Bearer ${acme.token}` })).status).toBe(200);
  });

  it('a download token cannot upload or administer', async () => {
    const d = await mint('download', ['partner:acme']);
    expect((await callJson('GET', '/api/admin/stats', { auth: `Bearer ${d.token}` })).status).toBe(401);
    expect((await callJson('POST', '/api/shares', { json: createBody(), auth: `Bearer ${d.token}`, ip: freshIp() })).status).toBe(401);
  });

  it('revoking the token ends its access to every share at once, grants included, while 100 requests race', async () => {
    const acme = await mint('download', ['partner:acme']);
    const auth = `Bearer ${acme.token}`;
    const a = await ruledShare({ requireLabel: 'partner:acme', maxDownloads: 100 });
    const b = await ruledShare({ requireLabel: 'partner:acme' });
    const grantA = (await accessWith(a, 'download', { auth })).body.grant as string;
    const grantB = (await accessWith(b, 'download', { auth })).body.grant as string;
    expect((await getFile(b.id, 0, grantB)).status).toBe(200);

    // 100 one-byte file requests in flight while the token is revoked (one byte each, so the
    // grant's byte allowance is not what stops them).
    const fetchOne = () =>
      getFile(a.id, 0, grantA, { Range: 'bytes=0-0' }).then(async (r) => ({
        status: r.status,
        body: r.headers.get('Content-Type')?.startsWith('application/json') ? await r.text() : (await r.arrayBuffer(), ''),
      }));
    const racing = Array.from({ length: 100 }, fetchOne);
    const revoke = await callJson('DELETE', `/api/admin/tokens/${acme.id}`, { auth: admin });
    expect(revoke.status).toBe(200);
    const after = await Promise.all(Array.from({ length: 100 }, fetchOne));
    const raced = await Promise.all(racing);

    // Every request sent after the revoke answer is refused; the racing ones either got the bytes or the refusal.
    expect(after.filter((r) => r.status === 403 && JSON.parse(r.body).error.code === 'partner_token_refused').length).toBe(100);
    for (const r of raced) expect([206, 403]).toContain(r.status);
    const served = (await env.DB.prepare("SELECT COUNT(*) AS n FROM access_log WHERE share_id = ? AND event = 'file'").bind(a.id).first<{ n: number }>())!.n;
    expect(served).toBe(raced.filter((r) => r.status === 206).length);

    // The other share's grant, and the signed routes of both shares, are refused too.
    expect((await getFile(b.id, 0, grantB)).status).toBe(403);
    for (const s of [a, b]) {
      for (const action of ['manifest', 'download'] as const) {
        const r = await accessWith(s, action, { auth });
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('partner_token_refused');
      }
    }
    const list = await callJson('GET', '/api/admin/tokens', { auth: admin });
    expect(list.body.tokens.find((t: { id: string }) => t.id === acme.id)).toMatchObject({ scope: 'download' });
    expect(list.body.tokens.find((t: { id: string }) => t.id === acme.id).revokedAt).not.toBeNull();
  });

  it('/manifest and /download race a revoke: nothing succeeds after the revoke answer', async () => {
    const acme = await mint('download', ['partner:acme']);
    const auth = `Bearer ${acme.token}`;
    const s = await ruledShare({ requireLabel: 'partner:acme', maxDownloads: 100 });
    const ip = freshIp();
    const run = () => accessWith(s, 'manifest', { auth, ip }).then((r) => r.status);
    const racing = Array.from({ length: 100 }, run);
    expect((await callJson('DELETE', `/api/admin/tokens/${acme.id}`, { auth: admin })).status).toBe(200);
    const after = await Promise.all(Array.from({ length: 100 }, run));
    expect(after.filter((x) => x === 403).length).toBe(100);
    for (const x of await Promise.all(racing)) expect([200, 403]).toContain(x);
  });
});

describe('place and network rules', () => {
  const LOOPBACK_COUNTRY = 'X-Sealdrop-Test-Country';

  it('countries: the allowed country opens it, another or none is 403 place_refused, logged with the country', async () => {
    const s = await ruledShare({ countries: ['DE', 'CH'] });
    // Requests without CF-Connecting-IP come from loopback in tests (LOCAL=1): the override is honoured.
    expect((await accessWith(s, 'manifest', { headers: { [LOOPBACK_COUNTRY]: 'DE' } })).status).toBe(200);
    const fr = await accessWith(s, 'manifest', { headers: { [LOOPBACK_COUNTRY]: 'FR' } });
    expect(fr.status).toBe(403);
    expect(fr.body.error.code).toBe('place_refused');
    expect((await accessWith(s, 'download', {})).body.error.code).toBe('place_refused');
    // From a non-loopback address the header is ignored: no country, refused.
    const remote = await accessWith(s, 'manifest', { ip: freshIp(), headers: { [LOOPBACK_COUNTRY]: 'DE' } });
    expect(remote.body.error.code).toBe('place_refused');
    const log = await callJson('GET', `/api/admin/log?share=${s.id}&event=place_refused`, { auth: admin });
    expect(log.body.rows.length).toBe(3);
    expect(log.body.rows.map((r: { detail: string }) => r.detail)).toContain('manifest country=FR');

    // The file route checks too: a grant fetched from DE does not work from FR.
    const dl = await accessWith(s, 'download', { headers: { [LOOPBACK_COUNTRY]: 'CH' } });
    expect(dl.status).toBe(200);
    expect((await getFile(s.id, 0, dl.body.grant, { [LOOPBACK_COUNTRY]: 'CH' })).status).toBe(200);
    const far = await getFile(s.id, 0, dl.body.grant, { [LOOPBACK_COUNTRY]: 'US' });
    expect(far.status).toBe(403);
    expect(((await far.json()) as any).error.code).toBe('place_refused');
  });

  it('networks: IPv4 and IPv6 CIDRs, edges included, IPv4-mapped clients as IPv4', async () => {
    const s = await ruledShare({ networks: ['192.0.2.0/24', '2001:db8:abcd::/48', '198.51.100.7'] });
    const cases: [string, number][] = [
      ['192.0.2.0', 200],
      ['192.0.2.255', 200],
      ['192.0.3.0', 403],
      ['192.0.1.255', 403],
      ['198.51.100.7', 200],
      ['198.51.100.8', 403],
      ['2001:db8:abcd::1', 200],
      ['2001:db8:abcd:ffff:ffff:ffff:ffff:ffff', 200],
      ['2001:db8:abce::', 403],
      ['2001:db8:abcc:ffff::1', 403],
      ['::ffff:192.0.2.9', 200],
      ['::ffff:192.0.4.9', 403],
    ];
    for (const [ip, want] of cases) {
      const r = await accessWith(s, 'manifest', { ip });
      expect(r.status, ip).toBe(want);
      if (want === 403) expect(r.body.error.code).toBe('place_refused');
    }
    const dl = await accessWith(s, 'download', { ip: '192.0.2.10' });
    expect((await getFile(s.id, 0, dl.body.grant)).status).toBe(403); // loopback is outside
  });

  it('refuses bad countries and networks at create, writing nothing', async () => {
    for (const extra of [{ countries: ['de'] }, { countries: ['DEU'] }, { countries: [] }, { networks: ['10.0.0.0/33'] }, { networks: ['2001:db8::/129'] }, { networks: ['not-an-ip'] }]) {
      const before = (await env.DB.prepare('SELECT COUNT(*) AS n FROM shares').first<{ n: number }>())!.n;
      const r = await callJson('POST', '/api/shares', { json: { ...createBody(), ...extra }, ip: freshIp() });
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
      expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM shares').first<{ n: number }>())!.n).toBe(before);
    }
  });
});

describe('access report', () => {
  it('lists per partner token the live shares it can open, with expiry, downloads used and last access (JSON and CSV)', async () => {
    const who = `partner:r${crypto.randomUUID().slice(0, 8)}`;
    const tok = await mint('download', [who, 'tier:gold']);
    const idle = await mint('download', [who]);
    const opened = await ruledShare({ requireLabel: who, maxDownloads: 3 });
    const unopened = await ruledShare({ requireLabel: 'tier:gold' });
    const gone = await ruledShare({ requireLabel: who });
    expect((await accessWith(opened, 'download', { auth: `Bearer ${tok.token}` })).status).toBe(200);
    expect((await call('DELETE', `/api/shares/${gone.id}`, { auth: `Bearer ${ADMIN}` })).status).toBe(200);

    const r = await callJson('GET', `/api/admin/access-report?label=${encodeURIComponent(who)}`, { auth: admin });
    expect(r.status).toBe(200);
    expect(r.body.label).toBe(who);
    const byId = new Map(r.body.tokens.map((t: any) => [t.id, t]));
    expect([...byId.keys()].sort()).toEqual([tok.id, idle.id].sort());
    const mine: any = byId.get(tok.id);
    expect(mine.shares.map((s: any) => s.id).sort()).toEqual([opened.id, unopened.id].sort());
    const o = mine.shares.find((s: any) => s.id === opened.id);
    expect(o).toMatchObject({ downloadsUsed: 1, maxDownloads: 3, requireLabel: who });
    expect(o.lastAccessAt).not.toBeNull();
    expect(mine.shares.find((s: any) => s.id === unopened.id).lastAccessAt).toBeNull();
    expect((byId.get(idle.id) as any).shares.map((s: any) => s.id)).toEqual([opened.id]);

    const csv = await call('GET', `/api/admin/access-report?label=${encodeURIComponent(who)}&format=csv`, { auth: admin });
    expect(csv.headers.get('Content-Type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^"tokenId","tokenLabel"/);
    expect(lines.length).toBe(1 + 3);
    expect(lines.filter((l) => l.includes(opened.id)).length).toBe(2);

    // Revoked tokens leave the report; bad queries are 400; without admin 401.
    await callJson('DELETE', `/api/admin/tokens/${idle.id}`, { auth: admin });
    const after = await callJson('GET', `/api/admin/access-report?label=${encodeURIComponent(who)}`, { auth: admin });
    expect(after.body.tokens.map((t: any) => t.id)).toEqual([tok.id]);
    expect((await callJson('GET', '/api/admin/access-report?label=nope', { auth: admin })).status).toBe(400);
    expect((await callJson('GET', '/api/admin/access-report?format=xml', { auth: admin })).status).toBe(400);
    expect((await callJson('GET', '/api/admin/access-report')).status).toBe(401);
  });
});
