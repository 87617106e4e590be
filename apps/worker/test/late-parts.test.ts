// A part re-send that lands after finalize, and the sweep racing a finalize at the
// 24-hour edge, must never purge a live share (issue 9 item 4).
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { UNFINALIZED_TTL_SECONDS } from '@sealdrop/shared';
import { purgeShare } from '../src/lib/shares.ts';
import { sweep } from '../src/sweep.ts';
import {
  call,
  createShare,
  download,
  equalBytes,
  finalize,
  getFile,
  owner,
  partOf,
  readyShare,
  shareRow,
  uploadAll,
  type Share,
} from './helpers.ts';

const objects = async (id: string) => (await env.BUCKET.list({ prefix: `shares/${id}/` })).objects.map((o) => o.key).sort();

/** The recipient's view: the right password gets a grant and the file's exact bytes. */
async function stillWhole(s: Share) {
  const row = await shareRow(s.id);
  expect(row.status).toBe('ready');
  expect(row.purged_at).toBeNull();
  expect(row.auth_pub).not.toBeNull();
  const d = await download(s);
  const f = await getFile(s.id, 0, d.grant);
  expect(f.status).toBe(200);
  expect(equalBytes(new Uint8Array(await f.arrayBuffer()), s.contents[0])).toBe(true);
}

describe('a part re-send that lands after finalize', () => {
  it('is refused with 409 and leaves the ready share whole', async () => {
    const s = await createShare({ password: true });
    await uploadAll(s);
    // A re-send of part 0 (the client never saw the first answer) whose body is still arriving...
    const body = partOf(s, 0, 0);
    let push!: () => void;
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        ctl.enqueue(body.subarray(0, 100));
        push = () => {
          ctl.enqueue(body.subarray(100));
          ctl.close();
        };
      },
    });
    const late = call('PUT', `/api/shares/${s.id}/files/0/parts/0`, {
      body: stream,
      auth: owner(s),
      headers: { 'Content-Length': String(body.byteLength), 'Content-Type': 'application/octet-stream' },
    });
    // ...while the first send's finalize completes.
    expect((await finalize(s)).status).toBe(200);
    push();
    const r = await late;
    expect(r.status).toBe(409);
    expect(((await r.json()) as any).error.code).toBe('conflict');
    expect(await objects(s.id)).toEqual([`shares/${s.id}/0`, `shares/${s.id}/manifest`]);
    await stillWhole(s);
  });
});

describe('purging', () => {
  it('refuses a live share (ready, not expired, downloads left)', async () => {
    const s = await readyShare();
    expect(await purgeShare(env, s.id, Date.now())).toBe(false);
    expect(await objects(s.id)).toHaveLength(2);
    await stillWhole(s);
  });

  it('the sweep at the 24-hour edge never purges a share whose finalize won', async () => {
    const shares = await Promise.all(Array.from({ length: 12 }, () => createShare()));
    for (const s of shares) await uploadAll(s);
    // Created just under 24 hours ago: finalize still accepts them, a sweep a minute later takes them.
    const edge = Date.now() - UNFINALIZED_TTL_SECONDS * 1000 + 60_000;
    for (const s of shares) await env.DB.prepare('UPDATE shares SET created_at = ? WHERE id = ?').bind(edge, s.id).run();
    const [report, ...finals] = await Promise.all([sweep(env, Date.now() + 120_000), ...shares.map((s) => finalize(s))]);
    let won = 0;
    for (const [k, s] of shares.entries()) {
      const row = await shareRow(s.id);
      if (finals[k].status === 200) {
        won++;
        await stillWhole(s);
      } else {
        expect(row.status).toBe('abandoned');
        expect(await objects(s.id)).toEqual([]);
      }
    }
    expect(report.abandoned).toBe(shares.length - won);
  });
});
