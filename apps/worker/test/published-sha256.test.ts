// Published SHA-256s (an explicit opt-in of the sender, publishSha256 at create):
// finalize takes exactly one well-formed hash per file and stores them with the
// share; a Slack endpoint's message, delivered to a real loopback receiver
// (test/receiver-setup.ts), then names them. Without the opt-in the server takes
// no hash at all, and malformed input is refused with nothing stored.
import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { deliverOutbox, formatEvent } from '../src/lib/webhooks.ts';
import { ADMIN, b64u, callJson, ciphertextSize, createBody, download, freshIp, newKeys, owner, randomBytes, uploadAll, type Share } from './helpers.ts';

const auth = `Bearer ${ADMIN}`;
const receiver = inject('receiverUrl');
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const sha = () => hex(randomBytes(32));

async function slackEndpoint(path: string): Promise<string> {
  const r = await callJson('POST', '/api/admin/webhooks', { auth, ip: freshIp(), json: { url: `${receiver}${path}`, events: ['finalize', 'download'], format: 'slack' } });
  expect(r.status).toBe(201);
  return r.body.id;
}

async function arrivals(path: string): Promise<{ event: string; text: string }[]> {
  const res = await fetch(`${receiver}/arrivals?path=${encodeURIComponent(path)}`);
  const list = (await res.json()) as { headers: Record<string, string>; body: string }[];
  return list.map((a) => ({ event: a.headers['sealdrop-event'], text: (JSON.parse(a.body) as { text: string }).text }));
}

/** A share created with (or without) the opt-in, every part uploaded. */
async function uploaded(publish: boolean, files = 2): Promise<Share> {
  const sizes = Array.from({ length: files }, (_, i) => ciphertextSize(500 + i));
  const keys = newKeys();
  const r = await callJson('POST', '/api/shares', { ip: freshIp(), json: { ...createBody({ sizes }, keys), ...(publish ? { publishSha256: true } : {}) } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const s: Share = { ...r.body, keys, sizes, contents: sizes.map((n) => randomBytes(n)), manifest: randomBytes(ciphertextSize(4096)) };
  await uploadAll(s);
  return s;
}

const finalize = (s: Share, extra: Record<string, unknown> = {}) =>
  callJson('POST', `/api/shares/${s.id}/finalize`, { auth: owner(s), json: { manifest: b64u(s.manifest), ...extra } });

const stored = async (id: string) =>
  (await env.DB.prepare('SELECT status, sha256s FROM shares WHERE id = ?').bind(id).first<{ status: string; sha256s: string | null }>())!;

describe('published SHA-256s', () => {
  it('reach a Slack endpoint (a loopback receiver) when the sender published them, and never otherwise', async () => {
    const path = `/slack-${hex(randomBytes(6))}`;
    const endpoint = await slackEndpoint(path);
    try {
      const published = await uploaded(true);
      const hashes = [sha(), sha()];
      const fin = await finalize(published, { sha256: hashes });
      expect(fin.status, JSON.stringify(fin.body)).toBe(200);
      expect(JSON.parse((await stored(published.id)).sha256s!)).toEqual(hashes);

      const plain = await uploaded(false);
      expect((await finalize(plain)).status).toBe(200);
      expect((await stored(plain.id)).sha256s).toBeNull();
      await download(published);
      await download(plain);

      await deliverOutbox(env, Date.now());
      const got = await arrivals(path);
      const of = (s: Share, event: string) => got.filter((a) => a.event === event && a.text.includes(`share ${s.id.slice(0, 4)}…`));
      for (const event of ['finalize', 'download']) {
        expect(of(published, event), `${event} of the published share`).toHaveLength(1);
        const text = of(published, event)[0].text;
        expect(text).toContain(`SHA-256 file 1 ${hashes[0]}, file 2 ${hashes[1]}`);
        expect(text).toContain('expires ');
        expect(text).not.toContain(published.id); // the link stays masked
        expect(text).not.toContain(published.ownerToken);
        expect(of(plain, event), `${event} of the plain share`).toHaveLength(1);
        expect(of(plain, event)[0].text).not.toMatch(/SHA-256|[0-9a-f]{64}/);
      }
    } finally {
      await callJson('DELETE', `/api/admin/webhooks/${endpoint}`, { auth, ip: freshIp() });
    }
  });

  it('refuse malformed or unasked-for hashes with a clear error, and store nothing', async () => {
    const s = await uploaded(true);
    const good = [sha(), sha()];
    const cases: [unknown, RegExp][] = [
      [[good[0].toUpperCase(), good[1]], /sha256\.0: must be a SHA-256 as 64 lower-case hex characters/],
      [[good[0].slice(1), good[1]], /sha256\.0: must be a SHA-256/],
      [[good[0], `${good[1]}00`], /sha256\.1: must be a SHA-256/],
      [[good[0], `g${good[1].slice(1)}`], /sha256\.1: must be a SHA-256/],
      [[good[0]], /sha256: one per file: this share has 2 files, 1 given/],
      [[...good, sha()], /sha256: one per file: this share has 2 files, 3 given/],
      [good[0], /sha256: /],
      [[1, 2], /sha256\.0: /],
      [undefined, /sha256: this share was created with publishSha256: send one SHA-256 per file/],
    ];
    for (const [sha256, message] of cases) {
      const r = await finalize(s, sha256 === undefined ? {} : { sha256 });
      expect(r.status, JSON.stringify(sha256)).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
      expect(r.body.error.message).toMatch(message);
      expect(await stored(s.id)).toEqual({ status: 'uploading', sha256s: '[]' });
    }
    // A share created without the opt-in takes no hash at all.
    const plain = await uploaded(false, 1);
    const r = await finalize(plain, { sha256: [sha()] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('sha256: this share was created without publishSha256, so the server takes no file hashes for it');
    expect(await stored(plain.id)).toEqual({ status: 'uploading', sha256s: null });
    // The opt-in itself is strict: only `true`.
    const bad = await callJson('POST', '/api/shares', { ip: freshIp(), json: { ...createBody(), publishSha256: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/publishSha256/);

    // The right ones finalize; a retry with the same is the same answer, other ones conflict.
    expect((await finalize(s, { sha256: good })).status).toBe(200);
    expect((await finalize(s, { sha256: good })).status).toBe(200);
    const other = await finalize(s, { sha256: [good[1], good[0]] });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toBe('this share was finalized with other SHA-256s');
    expect(JSON.parse((await stored(s.id)).sha256s!)).toEqual(good);
    // The admin share detail shows what was published.
    const list = await callJson('GET', `/api/admin/shares?limit=100`, { auth, ip: freshIp() });
    const row = list.body.shares.find((x: { id: string }) => x.id === s.id);
    expect(row.sha256).toEqual(good);
    expect(list.body.shares.find((x: { id: string }) => x.id === plain.id)?.sha256).toBeUndefined();
  });

  it('race: 120 finalizes at once with two sets of hashes publish exactly one set, and only its senders get 200', async () => {
    const s = await uploaded(true);
    const sets = [
      [sha(), sha()],
      [sha(), sha()],
    ];
    const runs = await Promise.all(Array.from({ length: 120 }, (_, i) => finalize(s, { sha256: sets[i % 2] }).then((r) => ({ set: i % 2, r }))));
    const row = await stored(s.id);
    expect(row.status).toBe('ready');
    const won = sets.findIndex((h) => JSON.stringify(h) === row.sha256s);
    expect(won, `stored ${row.sha256s}`).toBeGreaterThanOrEqual(0);
    for (const { set, r } of runs) {
      if (set === won) expect(r.status, JSON.stringify(r.body)).toBe(200);
      else {
        expect(r.status, JSON.stringify(r.body)).toBe(409);
        expect(r.body.error.message).toBe('this share was finalized with other SHA-256s');
      }
    }
    // One finalize happened: one log line, and the published hashes are the winner's in the admin list.
    const log = await env.DB.prepare(`SELECT COUNT(*) AS n FROM access_log WHERE share_id = ? AND event = 'finalize'`).bind(s.id).first<{ n: number }>();
    expect(log!.n).toBe(1);
    const list = await callJson('GET', `/api/admin/shares?limit=100`, { auth, ip: freshIp() });
    expect(list.body.shares.find((x: { id: string }) => x.id === s.id).sha256).toEqual(sets[won]);
  });

  it('are formatted per endpoint: our JSON and OCSF carry them, a file event only its own', () => {
    const hashes = [sha(), sha()];
    const p = { event: 'file', at: Date.UTC(2026, 0, 2), shareId: 'AbCdEfGhIjKlMnOpQrStUv', detail: 'grant=g file=1', sha256: hashes };
    expect((formatEvent('slack', 1, p) as { text: string }).text).toContain(`SHA-256 file 2 ${hashes[1]}`);
    expect((formatEvent('slack', 1, p) as { text: string }).text).not.toContain(hashes[0]);
    expect((formatEvent('json', 1, p) as { sha256: string[] }).sha256).toEqual(hashes);
    const ocsf = formatEvent('ocsf', 1, p) as { file: { hashes: unknown[] } };
    expect(ocsf.file.hashes).toEqual([{ algorithm_id: 3, algorithm: 'SHA-256', value: hashes[1] }]);
    const many = formatEvent('ocsf', 1, { ...p, event: 'download', detail: null }) as { unmapped: { sha256: string[] } };
    expect(many.unmapped.sha256).toEqual(hashes);
    const many11 = Array.from({ length: 12 }, sha);
    expect((formatEvent('slack', 1, { ...p, event: 'finalize', detail: null, sha256: many11 }) as { text: string }).text).toContain('and 2 more');
    const none = { ...p, sha256: [] };
    expect((formatEvent('slack', 1, none) as { text: string }).text).not.toContain('SHA-256');
    expect(formatEvent('json', 1, none)).not.toHaveProperty('sha256');
    expect((formatEvent('ocsf', 1, none) as { file: object }).file).not.toHaveProperty('hashes');
  });
});
