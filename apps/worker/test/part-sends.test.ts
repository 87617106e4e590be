// Part sends count only what was stored (issue 17): an interrupted send never
// locks an upload, a slot held by a send that died frees itself, and N
// concurrent sends of one part still store it at most 1 + MAX_PART_RESENDS times.
import { env } from 'cloudflare:test';
import { MAX_PART_RESENDS } from '@sealdrop/shared';
import { describe, expect, it } from 'vitest';
import { call, createShare, finalize, owner, partOf, putPart } from './helpers.ts';

const CAP = 1 + MAX_PART_RESENDS;
const partRow = (id: string) =>
  env.DB.prepare('SELECT sends, inflight, etag FROM parts WHERE share_id = ? AND file_idx = 0 AND n = 0').bind(id).first<{ sends: number; inflight: number; etag: string | null }>();

/** A PUT of part 0 whose body sends `first` bytes and then breaks, as a killed client or a cut connection does. */
async function brokenSend(s: Awaited<ReturnType<typeof createShare>>, first: number) {
  const body = partOf(s, 0, 0);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(body.slice(0, first));
      controller.error(new Error('connection lost'));
    },
  });
  return call('PUT', `/api/shares/${s.id}/files/0/parts/0`, {
    body: stream,
    auth: owner(s),
    headers: { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' },
  }).catch((e: Error) => e);
}

describe('part send counting', () => {
  it('sends that never stored their part count nothing: ten broken sends, then the part is stored', async () => {
    const s = await createShare();
    for (let k = 0; k < 10; k++) {
      const r = await brokenSend(s, 300);
      if (r instanceof Response) expect(r.status).toBeLessThan(500);
    }
    expect(await partRow(s.id)).toMatchObject({ sends: 0, inflight: 0, etag: null });
    expect((await putPart(s, 0, 0)).status).toBe(200);
    expect((await finalize(s)).status).toBe(200);
  });

  it('a slot held by a send whose process died frees itself when its lease ends', async () => {
    const s = await createShare();
    // What a killed stack leaves: CAP slots taken, nothing stored.
    await env.DB.prepare('INSERT INTO parts (share_id, file_idx, n, sends, inflight, inflight_until, updated_at) VALUES (?, 0, 0, 0, ?, ?, ?)')
      .bind(s.id, CAP, Date.now() + 30_000, Date.now())
      .run();
    const held = await putPart(s, 0, 0);
    expect(held.status).toBe(429);
    expect(held.body.error.code).toBe('rate_limited');
    expect(Number(held.res.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(held.body.error.message).toMatch(/still being received.*try again in \d+ s/);
    // The lease ends (the requests that held the slots are gone).
    await env.DB.prepare('UPDATE parts SET inflight_until = ? WHERE share_id = ?').bind(Date.now() - 1, s.id).run();
    expect((await putPart(s, 0, 0)).status).toBe(200);
    expect(await partRow(s.id)).toMatchObject({ sends: 1, inflight: 0 });
  });

  it(`100 concurrent sends of one part store it exactly ${CAP} times; then a clear 409 that does not ask to retry`, async () => {
    const s = await createShare();
    const results = await Promise.all(Array.from({ length: 100 }, () => putPart(s, 0, 0)));
    const by = (st: number) => results.filter((r) => r.status === st).length;
    expect(by(200)).toBe(CAP);
    expect(by(200) + by(429) + by(409)).toBe(100);
    expect(await partRow(s.id)).toMatchObject({ sends: CAP, inflight: 0 });
    const after = await putPart(s, 0, 0);
    expect(after.status).toBe(409);
    expect(after.body.error.message).toMatch(/already stored 4 times and cannot be replaced again; start a new share/);
    expect(after.body.error.message).not.toMatch(/again to resume|run .* again/i);
  });
});
