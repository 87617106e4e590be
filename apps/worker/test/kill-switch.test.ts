// Issue 9 item 3: the kill switch under load. Revoke-all while downloads stream
// and while other revoke-alls run: each live share is revoked exactly once, the
// counts add up exactly, every grant ends, and expired and exhausted shares keep
// their state and history. A repeat is safe and reports what is left.
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { sweep } from '../src/sweep.ts';
import {
  ADMIN,
  callJson,
  challenge,
  ciphertextSize,
  createBody,
  createShare,
  download,
  finalize,
  freshIp,
  getFile,
  newKeys,
  randomBytes,
  readyShare,
  shareRow,
  signBody,
  uploadAll,
  type Share,
} from './helpers.ts';

const auth = `Bearer ${ADMIN}`;
const killSwitch = (tokens = false) => callJson('POST', '/api/admin/revoke-all', { auth, json: { confirm: 'REVOKE ALL', ...(tokens ? { tokens } : {}) } });

async function liveCount(): Promise<number> {
  const r = await env.DB.prepare(
    `SELECT COUNT(*) AS n FROM shares WHERE status = 'uploading' OR (status = 'ready' AND expires_at > ? AND downloads_used < max_downloads)`,
  )
    .bind(Date.now())
    .first<{ n: number }>();
  return r!.n;
}

const logCount = async (id: string) =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM access_log WHERE share_id = ?').bind(id).first<{ n: number }>())!.n;

it('120 concurrent revoke-alls while downloads stream: exact counts, all grants end, expired and exhausted untouched', async () => {
  const sizes = [ciphertextSize(1024 * 1024)];
  const live = await Promise.all(Array.from({ length: 8 }, () => readyShare({ sizes, maxDownloads: 3 })));
  const uploading = await Promise.all(Array.from({ length: 4 }, () => createShare()));
  const expired = await Promise.all(Array.from({ length: 3 }, () => readyShare()));
  const exhausted = await Promise.all(Array.from({ length: 3 }, () => readyShare({ maxDownloads: 1 })));
  for (const s of expired) await download(s);
  await env.DB.prepare(`UPDATE shares SET expires_at = ? WHERE id IN (${expired.map(() => '?').join(',')})`)
    .bind(Date.now() - 1000, ...expired.map((s) => s.id))
    .run();
  const exhaustedGrants: string[] = [];
  for (const s of exhausted) exhaustedGrants.push((await download(s)).grant);
  const grants = await Promise.all(live.map(async (s) => (await download(s)).grant));

  const keep = [...expired, ...exhausted];
  const before = new Map(await Promise.all(keep.map(async (s) => [s.id, { row: await shareRow(s.id), log: await logCount(s.id) }] as const)));

  // Downloads in flight: each has its headers and first bytes, the rest still unread.
  const streams = await Promise.all(
    live.map(async (s, i) => {
      const res = await getFile(s.id, 0, grants[i]);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      return reader;
    }),
  );

  const expected = await liveCount();
  expect(expected).toBeGreaterThanOrEqual(live.length + uploading.length);
  // The kill switch, 120 times at once, racing fresh file requests on live grants.
  const [answers, fileAnswers] = await Promise.all([
    Promise.all(Array.from({ length: 120 }, () => killSwitch())),
    Promise.all(live.flatMap((s, i) => [0, 1].map(() => getFile(s.id, 0, grants[i]).then(async (r) => (await r.arrayBuffer(), r.status))))),
  ]);
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  // Each live share counted by exactly one call; the sum is the number that was live.
  expect(answers.reduce((n, a) => n + a.body.revoked, 0)).toBe(expected);
  expect(answers.filter((a) => a.body.revoked > 0).length).toBe(1);
  expect(answers.reduce((n, a) => n + a.body.grantsEnded, 0)).toBeGreaterThanOrEqual(live.length + exhausted.length);
  for (const st of fileAnswers) expect([200, 401, 410]).toContain(st);
  for (const r of streams) await r.cancel();

  for (const s of [...live, ...uploading]) {
    const row = await shareRow(s.id);
    expect(row.status).toBe('revoked');
    expect(row.revoked_by).toBe('bootstrap');
  }
  // Grants: every one ends, the exhausted shares' too (their download stops, and its
  // resume is told "revoked", not 401), yet those shares are not relabelled.
  for (const [i, s] of [...live.map((s, i) => [s, grants[i]] as const), ...exhausted.map((s, i) => [s, exhaustedGrants[i]] as const)].entries()) {
    const f = await getFile(s[0].id, 0, s[1]);
    expect(f.status, `share ${i}`).toBe(410);
    expect((await f.json<any>()).error.code).toBe('revoked');
  }
  for (const s of keep) {
    const row = await shareRow(s.id);
    const was = before.get(s.id)!;
    expect(row.status).toBe('ready');
    // Who ended an exhausted share's last grant is recorded; an expired share had none to end.
    expect(row.revoked_at === null).toBe(expired.includes(s));
    expect(row.revoked_by).toBe(expired.includes(s) ? null : 'bootstrap');
    expect(row.downloads_used).toBe(was.row.downloads_used);
    expect(row.purged_at).toBe(was.row.purged_at);
    expect(await logCount(s.id)).toBe(was.log);
    const admin = await callJson('GET', `/api/admin/shares/${s.id}`, { auth });
    expect(admin.body.status).toBe(expired.includes(s) ? 'expired' : 'exhausted');
  }

  // One log line for the call that did the work, with its counts; the others logged count=0.
  const lines = (await env.DB.prepare(`SELECT detail FROM access_log WHERE event = 'revoke' AND detail LIKE 'revoke-all%'`).all<{ detail: string }>())
    .results.map((r) => r.detail);
  expect(lines.length).toBeGreaterThanOrEqual(120);
  expect(lines.filter((d) => d.includes(`count=${expected} `)).length).toBe(1);

  // A repeat is safe: nothing more is relabelled; what the sweep has yet to delete is reported, then finished.
  const again = await killSwitch();
  expect(again.body).toMatchObject({ revoked: 0, grantsEnded: 0 });
  await sweep(env);
  for (const s of [...live, ...uploading]) {
    expect((await env.BUCKET.list({ prefix: `shares/${s.id}/` })).objects).toEqual([]);
    expect((await shareRow(s.id)).purged_at).not.toBeNull();
  }
  expect((await killSwitch()).body).toEqual({ revoked: 0, grantsEnded: 0, purgePending: 0, tokensRevoked: 0, downloadTokensRevoked: 0 });
});

it('finishes the objects the invocation could not: shares left revoked-but-unpurged are reported and swept', async () => {
  const shares = await Promise.all(Array.from({ length: 3 }, () => readyShare()));
  // As if an invocation had died right after the state change: revoked, objects still there.
  await env.DB.prepare(`UPDATE shares SET status = 'revoked', revoked_at = ?, revoked_by = 'bootstrap' WHERE id IN (?, ?, ?)`)
    .bind(Date.now(), ...shares.map((s) => s.id))
    .run();
  const r = await killSwitch();
  expect(r.status).toBe(200);
  expect(r.body.revoked).toBe(0);
  expect(r.body.purgePending).toBeGreaterThanOrEqual(3);
  await sweep(env);
  for (const s of shares) expect((await env.BUCKET.list({ prefix: `shares/${s.id}/` })).objects).toEqual([]);
  expect((await killSwitch()).body.purgePending).toBe(0);
});

it('with tokens, the kill switch also revokes every minted token', async () => {
  const mk = async (scope: string) =>
    (await callJson('POST', '/api/admin/tokens', { auth, json: { label: `kill ${scope}`, scope, expiresIn: 3600 } })).body;
  const up = await mk('upload');
  const adm = await mk('admin');
  const r = await killSwitch(true);
  expect(r.body.tokensRevoked).toBeGreaterThanOrEqual(2);
  for (const t of [up, adm]) expect((await callJson('GET', '/api/admin/stats', { auth: `Bearer ${t.token}` })).status).toBe(401);
  expect((await callJson('POST', '/api/shares', { auth: `Bearer ${up.token}`, json: createBody(), ip: freshIp() })).status).toBe(401);
  // The bootstrap itself still works (it is the server's secret, rotated by redeploying).
  expect((await callJson('GET', '/api/admin/stats', { auth })).status).toBe(200);
});

/** A ready share that opens only with a partner download token carrying `label`. */
async function partnerShare(label: string): Promise<Share> {
  const keys = newKeys();
  const body = { ...createBody({}, keys), requireLabel: label };
  const r = await callJson('POST', '/api/shares', { json: body, ip: freshIp() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const size = body.files[0].size;
  const s: Share = { ...r.body, keys, sizes: [size], contents: [randomBytes(size)], manifest: randomBytes(4096 + 72) };
  await uploadAll(s);
  expect((await finalize(s)).status).toBe(200);
  return s;
}

async function manifestWith(s: Share, token: string): Promise<number> {
  const ch = await challenge(s.id);
  return (await callJson('POST', `/api/shares/${s.id}/manifest`, { json: signBody(s.keys, 'manifest', s.id, ch), auth: `Bearer ${token}` })).status;
}

it('with tokens, 120 concurrent kill switches revoke every partner download token exactly once, and count them', async () => {
  const label = `partner:k${crypto.randomUUID().slice(0, 8)}`;
  const mk = async (scope: string, labels?: string[]) =>
    (await callJson('POST', '/api/admin/tokens', { auth, json: { label: `kill ${scope}`, scope, expiresIn: 3600, labels } })).body as {
      id: string;
      token: string;
    };
  const partners = await Promise.all(Array.from({ length: 6 }, () => mk('download', [label])));
  const up = await mk('upload');
  // An expired download token is not live: not counted, not touched.
  const old = await mk('download', [label]);
  await env.DB.prepare('UPDATE download_tokens SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, old.id).run();
  // Before: each partner token opens a share that requires its label.
  const before = await partnerShare(label);
  for (const p of partners) expect(await manifestWith(before, p.token)).toBe(200);

  const count = async (table: string) =>
    (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE revoked_at IS NULL AND expires_at > ?`).bind(Date.now()).first<{ n: number }>())!.n;
  const [liveDownload, liveApi] = [await count('download_tokens'), await count('api_tokens')];
  expect(liveDownload).toBeGreaterThanOrEqual(partners.length);

  const answers = await Promise.all(Array.from({ length: 120 }, () => killSwitch(true)));
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  // Every live token counted by exactly one call, of its own kind.
  expect(answers.reduce((n, a) => n + a.body.downloadTokensRevoked, 0)).toBe(liveDownload);
  expect(answers.reduce((n, a) => n + a.body.tokensRevoked, 0)).toBe(liveApi);
  expect(await count('download_tokens')).toBe(0);
  const lines = (await env.DB.prepare(`SELECT detail FROM access_log WHERE event = 'revoke' AND detail LIKE 'revoke-all%'`).all<{ detail: string }>()).results;
  expect(lines.filter((l) => l.detail.includes(`download_tokens=${liveDownload} `)).length).toBe(1);

  // After: no partner token opens a share made since, the admin list shows them revoked, the expired one untouched.
  const after = await partnerShare(label);
  for (const p of partners) expect(await manifestWith(after, p.token)).toBe(403);
  const listed = (await callJson('GET', '/api/admin/tokens', { auth })).body.tokens as { id: string; revokedAt: string | null }[];
  for (const p of [...partners, up]) expect(listed.find((t) => t.id === p.id)?.revokedAt, p.id).not.toBeNull();
  expect(listed.find((t) => t.id === old.id)?.revokedAt).toBeNull();
  // Without `tokens`, the kill switch leaves tokens alone.
  const fresh = await mk('download', [label]);
  expect((await killSwitch()).body.downloadTokensRevoked).toBe(0);
  expect(await manifestWith(await partnerShare(label), fresh.token)).toBe(200);
});

it('a minted admin token’s kill switch revokes partner download tokens too, and upload tokens, not admin tokens', async () => {
  const mk = async (scope: string, labels?: string[]) =>
    (await callJson('POST', '/api/admin/tokens', { auth, json: { label: `minted ${scope}`, scope, expiresIn: 3600, labels } })).body as {
      id: string;
      token: string;
    };
  const adm = await mk('admin');
  const other = await mk('admin');
  const partner = await mk('download', ['partner:minted']);
  const r = await callJson('POST', '/api/admin/revoke-all', { auth: `Bearer ${adm.token}`, json: { confirm: 'REVOKE ALL', tokens: true } });
  expect(r.status).toBe(200);
  expect(r.body.downloadTokensRevoked).toBeGreaterThanOrEqual(1);
  const listed = (await callJson('GET', '/api/admin/tokens', { auth })).body.tokens as { id: string; revokedAt: string | null }[];
  expect(listed.find((t) => t.id === partner.id)?.revokedAt).not.toBeNull();
  expect(listed.find((t) => t.id === other.id)?.revokedAt).toBeNull();
});
