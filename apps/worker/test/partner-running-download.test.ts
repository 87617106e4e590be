// A partner download already streaming when its download token is revoked ends
// within RECHECK_BYTES (the stream re-check asks the partner gate too), and the
// resume is refused with partner_token_refused.
import { describe, expect, it } from 'vitest';
import { RECHECK_BYTES } from '../src/lib/live-body.ts';
import {
  ADMIN,
  callJson,
  challenge,
  createBody,
  finalize,
  freshIp,
  getFile,
  newKeys,
  PART,
  randomBytes,
  signBody,
  uploadAll,
  type Share,
} from './helpers.ts';

const MiB = 1024 * 1024;
/** Slack for what is already buffered between the worker and the reader (a few chunks). */
const IN_FLIGHT = 2 * MiB;
const admin = `Bearer ${ADMIN}`;

async function partnerShare(size: number, requireLabel: string): Promise<Share> {
  const keys = newKeys();
  const r = await callJson('POST', '/api/shares', { json: { ...createBody({ sizes: [size] }, keys), requireLabel }, ip: freshIp() });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  const s: Share = { ...r.body, keys, sizes: [size], contents: [randomBytes(size)], manifest: randomBytes(4096 + 72) };
  await uploadAll(s);
  expect((await finalize(s)).status).toBe(200);
  return s;
}

async function partnerGrant(s: Share, auth: string): Promise<string> {
  const ch = await challenge(s.id);
  const r = await callJson('POST', `/api/shares/${s.id}/download`, { json: signBody(s.keys, 'download', s.id, ch), auth });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.grant as string;
}

describe('a running partner download', () => {
  it(`ends within ${RECHECK_BYTES / MiB} MiB when its download token is revoked, and the resume gets 403 partner_token_refused`, async () => {
    const label = `partner:${crypto.randomUUID().slice(0, 8)}`;
    const minted = await callJson('POST', '/api/admin/tokens', { auth: admin, json: { label: 'acme', scope: 'download', expiresIn: 3600, labels: [label] } });
    expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    const size = 5 * PART; // well past one re-check
    const s = await partnerShare(size, label);
    const grant = await partnerGrant(s, `Bearer ${minted.body.token}`);

    const res = await getFile(s.id, 0, grant);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let before = 0;
    while (before < MiB) {
      const { done, value } = await reader.read();
      if (done) throw new Error('ended before the revoke');
      before += value.byteLength;
    }
    expect((await callJson('DELETE', `/api/admin/tokens/${minted.body.id}`, { auth: admin })).status).toBe(200);
    let after = 0;
    let ended: 'complete' | 'cut' = 'complete';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        after += value.byteLength;
      }
    } catch {
      ended = 'cut';
    }
    expect(ended).toBe('cut');
    expect(after).toBeLessThanOrEqual(RECHECK_BYTES + IN_FLIGHT);
    expect(before + after).toBeLessThan(size);

    const resume = await getFile(s.id, 0, grant, { Range: `bytes=${before + after}-` });
    expect(resume.status).toBe(403);
    expect(((await resume.json()) as any).error.code).toBe('partner_token_refused');
  });
});
