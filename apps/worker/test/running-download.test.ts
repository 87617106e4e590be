// A download already streaming when its share is revoked (one share or revoke-all)
// or expires ends within RECHECK_BYTES, and the resume is told why (issue 9 item 2).
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RECHECK_BYTES } from '../src/lib/live-body.ts';
import { ADMIN, call, download, getFile, owner, PART, readyShare } from './helpers.ts';

const MiB = 1024 * 1024;
/** Slack for what is already buffered between the worker and the reader (a few chunks). */
const IN_FLIGHT = 2 * MiB;

/** Reads 1 MiB, runs `kill`, reads on; the bytes that still arrived and how the stream ended. */
async function killMidway(res: Response, kill: () => Promise<unknown>) {
  const reader = res.body!.getReader();
  let before = 0;
  while (before < MiB) {
    const { done, value } = await reader.read();
    if (done) throw new Error('ended before the kill');
    before += value.byteLength;
  }
  await kill();
  let after = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { before, after, ended: 'complete' as const };
      after += value.byteLength;
    }
  } catch {
    return { before, after, ended: 'cut' as const };
  }
}

describe('a running download', () => {
  const kills = {
    'the owner revokes the share': async (s: { id: string; ownerToken: string }) =>
      expect((await call('DELETE', `/api/shares/${s.id}`, { auth: owner(s) })).status).toBe(200),
    'an admin revokes all shares': async () =>
      expect((await call('POST', '/api/admin/revoke-all', { auth: `Bearer ${ADMIN}`, json: { confirm: 'REVOKE ALL' } })).status).toBe(200),
    'the share expires': async (s: { id: string }) =>
      env.DB.prepare('UPDATE shares SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, s.id).run(),
  };
  for (const [what, kill] of Object.entries(kills)) {
    it(`ends within ${RECHECK_BYTES / MiB} MiB when ${what}, and the resume gets 410 with the reason`, async () => {
      const size = 5 * PART; // 25 MiB, well past one re-check
      const s = await readyShare({ sizes: [size] });
      const { grant } = await download(s);
      const res = await getFile(s.id, 0, grant);
      expect(res.status).toBe(200);
      const r = await killMidway(res, () => kill(s));
      expect(r.ended).toBe('cut');
      expect(r.after).toBeLessThanOrEqual(RECHECK_BYTES + IN_FLIGHT);
      expect(r.before + r.after).toBeLessThan(size);

      const resume = await getFile(s.id, 0, grant, { Range: `bytes=${r.before + r.after}-` });
      expect(resume.status).toBe(410);
      const code = what === 'the share expires' ? 'expired' : 'revoked';
      expect(((await resume.json()) as any).error.code).toBe(code);
    });
  }

  // The CLI's default is one download: its running download has used the last one, so the
  // share is exhausted (not live) and revoke-all keeps its status, yet it still ends the grant.
  it('the last download of a one-download share ends on revoke-all, and the resume gets 410 revoked (not 401)', async () => {
    const size = 5 * PART;
    const s = await readyShare({ sizes: [size], maxDownloads: 1 });
    const { grant } = await download(s);
    const res = await getFile(s.id, 0, grant);
    expect(res.status).toBe(200);
    const r = await killMidway(res, () => kills['an admin revokes all shares']());
    expect(r.ended).toBe('cut');
    expect(r.after).toBeLessThanOrEqual(RECHECK_BYTES + IN_FLIGHT);
    const resume = await getFile(s.id, 0, grant, { Range: `bytes=${r.before + r.after}-` });
    expect(resume.status).toBe(410);
    expect(((await resume.json()) as any).error.code).toBe('revoked');
  });

  it('runs to the end while the share stays live', async () => {
    const size = 3 * PART;
    const s = await readyShare({ sizes: [size] });
    const { grant } = await download(s);
    const res = await getFile(s.id, 0, grant);
    const r = await killMidway(res, async () => {});
    expect(r).toEqual({ before: r.before, after: size - r.before, ended: 'complete' });
  });
});
