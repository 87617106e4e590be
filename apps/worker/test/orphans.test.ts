// The sweep deletes stored objects that no share points to (a write that lost a
// race with a purge, a share whose row is gone) and leaves live shares alone.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sweep } from '../src/sweep.ts';
import { callJson, owner, readyShare } from './helpers.ts';

const keys = async (id: string) => (await env.BUCKET.list({ prefix: `shares/${id}/` })).objects.map((o) => o.key).sort();

describe('orphan sweep', () => {
  it('deletes objects of unknown and purged shares, and keeps those of live ones', async () => {
    const live = await readyShare();
    const gone = await readyShare();
    expect((await callJson('DELETE', `/api/shares/${gone.id}`, { auth: owner(gone) })).status).toBe(200);
    expect(await keys(gone.id)).toEqual([]);
    // A part that landed after the purge, and objects of a share no row knows.
    await env.BUCKET.put(`shares/${gone.id}/0`, new Uint8Array(1000));
    const unknown = 'Zz0rphan0000000000000A';
    await env.BUCKET.put(`shares/${unknown}/0`, new Uint8Array(2000));
    await env.BUCKET.put(`shares/${unknown}/manifest`, new Uint8Array(4000));

    let orphans = 0;
    for (let run = 0; run < 5; run++) orphans += (await sweep(env)).orphans;
    expect(orphans).toBeGreaterThanOrEqual(3);
    expect(await keys(gone.id)).toEqual([]);
    expect(await keys(unknown)).toEqual([]);
    expect(await keys(live.id)).toEqual([`shares/${live.id}/0`, `shares/${live.id}/manifest`]);
  });
});
