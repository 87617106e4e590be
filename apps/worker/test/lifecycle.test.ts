// Expiry, exhaustion, abandonment and the cron sweep.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import { sweep } from '../src/sweep.ts';
import { sealLog } from '../src/lib/logchain.ts';
import {
  callJson,
  ciphertextSize,
  createShare,
  download,
  getFile,
  owner,
  PART,
  putPart,
  readyShare,
  shareRow,
} from './helpers.ts';

const objects = async (id: string) => (await env.BUCKET.list({ prefix: `shares/${id}/` })).objects.map((o) => o.key).sort();
const expire = (id: string) => env.DB.prepare('UPDATE shares SET expires_at = ? WHERE id = ?').bind(Date.now() - 1000, id).run();
const quota = async () => (await env.DB.prepare('SELECT reserved FROM quota').first<{ reserved: number }>())!.reserved;

async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('expiry', () => {
  it('answers 410 expired everywhere, including to an issued grant, and the sweep removes the objects', async () => {
    const s = await readyShare({ password: true });
    const d = await download(s);
    const q0 = await quota();
    expect(await objects(s.id)).toEqual([`shares/${s.id}/0`, `shares/${s.id}/manifest`]);
    await expire(s.id);

    for (const r of [
      await callJson('GET', `/api/shares/${s.id}`),
      await callJson('POST', `/api/shares/${s.id}/manifest`, { json: { challenge: 'AAAA', linkSignature: 'A'.repeat(86), signature: 'A'.repeat(86) } }),
      await callJson('POST', `/api/shares/${s.id}/download`, { json: { challenge: 'AAAA', linkSignature: 'A'.repeat(86), signature: 'A'.repeat(86) } }),
      await callJson('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${d.grant}` }),
    ]) {
      expect(r.status).toBe(410);
      expect(r.body.error.code).toBe('expired');
    }
    expect((await callJson('GET', `/api/shares/${s.id}/owner`, { auth: owner(s) })).body.status).toBe('expired');

    await runCron();
    expect(await objects(s.id)).toEqual([]);
    const row = await shareRow(s.id);
    expect(row.purged_at).not.toBeNull();
    expect([row.link_pub, row.auth_pub, row.pw_salt, row.kdf]).toEqual([null, null, null, null]);
    expect(await quota()).toBe(q0 - s.sizes[0]);
    // still 410 expired (not 404) after the sweep, and the log keeps the row
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.code).toBe('expired');
    const log = await env.DB.prepare(`SELECT detail FROM access_log WHERE share_id = ? AND event = 'sweep_delete'`).bind(s.id).all();
    expect(log.results).toEqual([{ detail: 'expired' }]);
  });
});

describe('exhausted shares', () => {
  it('are never swept under a live grant, and are once the last grant has ended', async () => {
    const s = await readyShare({ maxDownloads: 1 });
    const d = await download(s);
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.error.code).toBe('exhausted');
    await sweep(env);
    expect(await objects(s.id)).toHaveLength(2);
    const f = await getFile(s.id, 0, d.grant);
    expect(f.status).toBe(200);
    await f.arrayBuffer();

    await env.DB.prepare('UPDATE shares SET last_grant_expires_at = ? WHERE id = ?').bind(Date.now() - 1, s.id).run();
    await sweep(env);
    expect(await objects(s.id)).toEqual([]);
    expect((await shareRow(s.id)).purged_at).not.toBeNull();
  });
});

describe('unfinalized shares', () => {
  it('are abandoned after 24 hours: uploads aborted, objects and parts gone', async () => {
    const s = await createShare({ sizes: [ciphertextSize(PART + 100), ciphertextSize(10)] });
    expect((await putPart(s, 0, 0)).status).toBe(200);
    expect((await putPart(s, 1, 0)).status).toBe(200);
    const file = await env.DB.prepare('SELECT upload_id FROM files WHERE share_id = ? AND idx = 0').bind(s.id).first<{ upload_id: string }>();
    // A fresh share is left alone.
    await sweep(env);
    expect((await shareRow(s.id)).status).toBe('uploading');

    await env.DB.prepare('UPDATE shares SET created_at = created_at - ? WHERE id = ?').bind(25 * 3600_000, s.id).run();
    // Parts are refused past 24 hours, even before the sweep runs.
    expect((await putPart(s, 0, 1)).status).toBe(410);
    await sweep(env);
    const row = await shareRow(s.id);
    expect(row.status).toBe('abandoned');
    expect(row.purged_at).not.toBeNull();
    expect(await objects(s.id)).toEqual([]);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM parts WHERE share_id = ?').bind(s.id).first<{ n: number }>())!.n).toBe(0);
    // The multipart upload is gone: completing it fails.
    const upload = env.BUCKET.resumeMultipartUpload(`shares/${s.id}/0`, file!.upload_id);
    await expect(upload.complete([{ partNumber: 1, etag: 'x' }])).rejects.toThrow();
    expect((await putPart(s, 0, 1)).status).toBe(404);
    expect((await callJson('GET', `/api/shares/${s.id}/owner`, { auth: owner(s) })).body.status).toBe('deleted');
  });
});

describe('the sweep', () => {
  it('works in batches and is idempotent', async () => {
    const shares = [await readyShare(), await readyShare(), await readyShare()];
    for (const s of shares) await expire(s.id);
    const small = { ...env, SWEEP_BATCH: '2' };
    const first = await sweep(small);
    expect(first.expired).toBe(2);
    const second = await sweep(small);
    expect(second.expired).toBe(1);
    for (const s of shares) expect(await objects(s.id)).toEqual([]);
    const rows = await Promise.all(shares.map((s) => shareRow(s.id)));
    const third = await sweep(small);
    expect(third).toEqual({ revoked: 0, expired: 0, abandoned: 0, logRows: 0, orphans: 0 });
    expect(await Promise.all(shares.map((s) => shareRow(s.id)))).toEqual(rows);
  });

  it('purges log rows past retention and keeps newer ones', async () => {
    // Retention drops whole sealed checkpoints older than LOG_RETENTION_DAYS
    // (log-chain.test.ts has the verifier's side of it).
    const day = 86400_000;
    const t = Date.now();
    const insert = (detail: string) => env.DB.prepare(`INSERT INTO access_log (event, at, detail) VALUES ('admin', ?, ?)`).bind(t, detail).run();
    await insert('old');
    await sealLog(env, t - 31 * day);
    await insert('recent');
    await sealLog(env, t - 29 * day);
    const r = await sweep(env, t);
    expect(r.logRows).toBeGreaterThanOrEqual(1);
    const left = await env.DB.prepare(`SELECT detail FROM access_log WHERE detail IN ('old', 'recent')`).all();
    expect(left.results).toEqual([{ detail: 'recent' }]);
    // LOG_RETENTION_DAYS is honoured.
    expect((await sweep({ ...env, LOG_RETENTION_DAYS: '7' }, t)).logRows).toBeGreaterThanOrEqual(1);
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM access_log WHERE detail = 'recent'`).first<{ n: number }>())!.n).toBe(0);
  });

  it('drops spent challenges, dead grants and stale back-off rows', async () => {
    const t = Date.now();
    await env.DB.batch([
      env.DB.prepare('INSERT INTO used_challenges (nonce, expires_at) VALUES (?, ?)').bind('old-challenge', t - 1),
      env.DB.prepare('INSERT INTO grants (gid, share_id, issued_at, expires_at) VALUES (?, ?, ?, ?)').bind('old-grant', 'x', t - 10, t - 1),
      env.DB.prepare('INSERT INTO backoff (share_id, client, failures, last_at) VALUES (?, ?, ?, ?)').bind('x', 'c', 3, t - 2 * 86400_000),
    ]);
    await sweep(env);
    const left = await env.DB.batch([
      env.DB.prepare(`SELECT COUNT(*) AS n FROM used_challenges WHERE nonce = 'old-challenge'`),
      env.DB.prepare(`SELECT COUNT(*) AS n FROM grants WHERE gid = 'old-grant'`),
      env.DB.prepare(`SELECT COUNT(*) AS n FROM backoff WHERE share_id = 'x'`),
    ]);
    expect(left.map((r) => (r.results[0] as { n: number }).n)).toEqual([0, 0, 0]);
  });
});
