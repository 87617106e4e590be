// Webhook endpoints in workerd with real D1: the SSRF guard refuses what the
// worker must never fetch, the secret is shown once, and the outbox row is
// written by the same statement as the log row (so it cannot be lost), for the
// endpoint's events only. (Delivery to a real receiver: apps/cli/test/webhooks.test.ts.)
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import { sealLog } from '../src/lib/logchain.ts';
import { deliverOutbox, formatEvent, signatureHeader } from '../src/lib/webhooks.ts';
import { ADMIN, callJson, createBody, freshIp } from './helpers.ts';

const auth = `Bearer ${ADMIN}`;

async function create(body: unknown, e: object = env) {
  const ctx = createExecutionContext();
  const req = new Request('https://sealdrop.test/api/admin/webhooks', {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json', 'CF-Connecting-IP': freshIp() },
    body: JSON.stringify(body),
  });
  const res = await worker.fetch(req as never, e as never, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

describe('webhook endpoints', () => {
  it('refuse URLs the worker must not fetch (SSRF), and plain http without LOCAL=1', async () => {
    const prod = { ...env, LOCAL: '0' };
    const refused = [
      'http://hooks.example.com/x',
      'https://127.0.0.1/x',
      'https://2130706433/x', // 127.0.0.1 spelled as a number
      'https://0x7f.1/x',
      'https://localhost/x',
      'https://db.internal/x',
      'https://10.1.2.3/x',
      'https://172.16.0.9/x',
      'https://192.168.1.1/x',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/x',
      'https://[::1]/x',
      'https://[fd00::1]/x',
      'https://[fe80::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://user:pass@hooks.example.com/x',
      'ftp://hooks.example.com/x',
      'https://intranet/x',
      'not a url',
    ];
    for (const url of refused) {
      const r = await create({ url, events: ['download'] }, prod);
      expect(r.status, url).toBe(400);
      expect(r.body.error.code, url).toBe('bad_request');
    }
    const { results } = await env.DB.prepare('SELECT url FROM webhooks').all();
    expect(results).toEqual([]);
    const ok = await create({ url: 'https://hooks.example.com/sealdrop', events: ['download'] }, prod);
    expect(ok.status).toBe(201);
    await callJson('DELETE', `/api/admin/webhooks/${ok.body.id}`, { auth, ip: freshIp() });
    // Malformed label filters, unknown events and formats are refused.
    expect((await create({ url: 'https://hooks.example.com/', events: ['nope'] })).status).toBe(400);
    expect((await create({ url: 'https://hooks.example.com/', events: ['download'], format: 'xml' })).status).toBe(400);
  });

  it('show the secret once, and queue outbox rows with the log row, for their events only', async () => {
    const a = await create({ url: 'http://127.0.0.1:9/a', events: ['admin', 'checkpoint'], format: 'json' });
    const b = await create({ url: 'http://127.0.0.1:9/b', events: ['download'], format: 'slack' });
    expect(a.status).toBe(201);
    expect(a.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const list = await callJson('GET', '/api/admin/webhooks', { auth, ip: freshIp() });
    expect(JSON.stringify(list.body)).not.toContain(a.body.secret);
    expect(list.body.webhooks.map((w: any) => w.id).sort()).toEqual([a.body.id, b.body.id].sort());

    const before = (await env.DB.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM access_log').first<{ id: number }>())!.id;
    await env.DB.prepare(`INSERT INTO access_log (event, at, detail) VALUES ('admin', ?, 'x'), ('create', ?, 'y')`).bind(Date.now(), Date.now()).run();
    const { results } = await env.DB.prepare(
      `SELECT o.endpoint_id, o.event, json_extract(o.payload, '$.logId') AS log_id FROM webhook_outbox o WHERE json_extract(o.payload, '$.logId') > ? ORDER BY o.id`,
    )
      .bind(before)
      .all<{ endpoint_id: string; event: string; log_id: number }>();
    expect(results.filter((r) => r.endpoint_id === b.body.id)).toEqual([]);
    expect(results.filter((r) => r.endpoint_id === a.body.id && r.event === 'create')).toEqual([]);
    expect(results.some((r) => r.endpoint_id === a.body.id && r.event === 'admin' && r.log_id === before + 1)).toBe(true);

    // A checkpoint is queued in the seal's own batch.
    const seal = await sealLog(env);
    const cp = await env.DB.prepare(`SELECT payload FROM webhook_outbox WHERE endpoint_id = ? AND event = 'checkpoint' ORDER BY id DESC`).bind(a.body.id).first<{ payload: string }>();
    expect(JSON.parse(cp!.payload).checkpoint).toEqual(seal.checkpoint);

    for (const w of [a, b]) expect((await callJson('DELETE', `/api/admin/webhooks/${w.body.id}`, { auth, ip: freshIp() })).status).toBe(200);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_outbox').first<{ n: number }>())!.n).toBe(0);
  });

  it('with a label filter get only the events of shares carrying one of the labels, none without a share', async () => {
    const bad: unknown[] = [['x'], ['Partner:acme'], ['partner: acme'], ['partner:acme', 'partner:acme'], 'partner:acme', [7], Array.from({ length: 50 }, (_, i) => `k:v${i}`)];
    for (const labels of bad) {
      const r = await create({ url: 'http://127.0.0.1:9/bad', events: ['*'], labels });
      expect(r.status, JSON.stringify(labels)).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM webhooks').first<{ n: number }>())!.n).toBe(0);

    const acme = await create({ url: 'http://127.0.0.1:9/acme', events: ['*'], labels: ['partner:acme', 'partner:initech'] });
    const every = await create({ url: 'http://127.0.0.1:9/all', events: ['*'] });
    expect(acme.status).toBe(201);
    expect(acme.body.labels).toEqual(['partner:acme', 'partner:initech']);
    expect(every.body.labels).toEqual([]);
    const listed = (await callJson('GET', '/api/admin/webhooks', { auth, ip: freshIp() })).body.webhooks;
    expect(listed.find((w: any) => w.id === acme.body.id).labels).toEqual(['partner:acme', 'partner:initech']);

    const mine = await callJson('POST', '/api/shares', { json: { ...createBody(), labels: ['release:1', 'partner:acme'] }, ip: freshIp() });
    const other = await callJson('POST', '/api/shares', { json: { ...createBody(), labels: ['partner:globex'] }, ip: freshIp() });
    const plain = await callJson('POST', '/api/shares', { json: createBody(), ip: freshIp() });
    for (const r of [mine, other, plain]) expect(r.status).toBe(201);
    await env.DB.prepare(`INSERT INTO access_log (event, at, detail) VALUES ('admin', ?, 'no share')`).bind(Date.now()).run();

    // One delivery round (plain http refused without LOCAL=1: nothing leaves the
    // test, wanted rows stay queued as failed, filtered-out rows are dropped).
    await deliverOutbox({ ...env, LOCAL: '0' } as never);
    const queued = async (id: string) =>
      (await env.DB.prepare('SELECT share_id, event, attempts FROM webhook_outbox WHERE endpoint_id = ? ORDER BY id').bind(id).all<{ share_id: string | null; event: string; attempts: number }>()).results;
    const toAcme = await queued(acme.body.id);
    expect(toAcme.length).toBeGreaterThan(0);
    expect(toAcme.every((r) => r.share_id === mine.body.id && r.attempts === 1)).toBe(true);
    const toEvery = await queued(every.body.id);
    for (const id of [mine.body.id, other.body.id, plain.body.id, null]) expect(toEvery.some((r) => r.share_id === id), String(id)).toBe(true);

    // A checkpoint has no share: only the unfiltered endpoint is told.
    await sealLog(env);
    expect((await queued(acme.body.id)).some((r) => r.event === 'checkpoint')).toBe(false);
    expect((await queued(every.body.id)).some((r) => r.event === 'checkpoint')).toBe(true);
    for (const w of [acme, every]) await callJson('DELETE', `/api/admin/webhooks/${w.body.id}`, { auth, ip: freshIp() });
  });

  it('format events as our JSON, Slack text without the full share id, and OCSF', async () => {
    const p = { logId: 7, event: 'download', at: Date.UTC(2026, 0, 2), shareId: 'AbCdEfGhIjKlMnOpQrStUv', ip: '192.0.2.1', country: 'DE', userAgent: 'ua', outcome: 'ok', detail: null, tokenId: null };
    expect(formatEvent('json', 3, p)).toMatchObject({ id: 3, type: 'download', at: '2026-01-02T00:00:00.000Z', shareId: p.shareId, logId: 7 });
    const slack = formatEvent('slack', 3, p) as { text: string };
    expect(slack.text).toContain('download granted');
    expect(slack.text).toContain('AbCd…');
    expect(slack.text).not.toContain(p.shareId);
    // The share's expiry (read at delivery) is in the Slack text; the link stays masked, no key or secret.
    const expiring = (formatEvent('slack', 3, { ...p, expiresAt: Date.UTC(2026, 0, 9, 12) }) as { text: string }).text;
    expect(expiring).toContain('expires 2026-01-09T12:00:00.000Z');
    expect(expiring).not.toContain(p.shareId);
    expect(expiring).not.toMatch(/#|\/s\/|[A-Za-z0-9_-]{22,}/);
    expect(slack.text).not.toContain('expires');
    expect(formatEvent('ocsf', 3, p)).toMatchObject({ class_uid: 1001, activity_id: 2, type_uid: 100102, time: p.at, status: 'Success', src_endpoint: { ip: '192.0.2.1' } });
    expect(formatEvent('ocsf', 3, { ...p, event: 'bad_password', outcome: 'forbidden' })).toMatchObject({ class_uid: 6003, status: 'Failure' });
    // The documented signature: HMAC-SHA-256 over "<t>.<body>".
    expect(await signatureHeader('whsec_test', '{"a":1}', 1700000000)).toBe('t=1700000000,v1=' + (await hmacHex('whsec_test', '1700000000.{"a":1}')));
  });
});

async function hmacHex(secret: string, msg: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(msg)))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
