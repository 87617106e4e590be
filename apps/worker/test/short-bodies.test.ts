// Bodies that end before their Content-Length, and malformed Content-Length values
// (issue 9 item 8): a 400 that changes nothing, never a 5xx, never a spent re-send.
import { MAX_PART_RESENDS } from '@sealdrop/shared';
import { describe, expect, it } from 'vitest';
import { call, callJson, createBody, createShare, freshIp, owner, PART, partOf, putPart, type Share } from './helpers.ts';

/** A body that sends `bytes` and then ends early (`close`) or breaks off (`error`). */
function cutShort(bytes: Uint8Array, mode: 'close' | 'error'): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(ctl) {
      ctl.enqueue(bytes);
      if (mode === 'close') ctl.close();
      else ctl.error(new Error('client went away'));
    },
  });
}

async function shortPart(s: Share, n: number, mode: 'close' | 'error') {
  const full = partOf(s, 0, n);
  return callJson('PUT', `/api/shares/${s.id}/files/0/parts/${n}`, {
    body: cutShort(full.subarray(0, 100), mode),
    auth: owner(s),
    headers: { 'Content-Length': String(full.byteLength), 'Content-Type': 'application/octet-stream' },
  });
}

describe('a part body shorter than its Content-Length', () => {
  for (const [name, sizes] of [
    ['a one-part file', [1072]],
    ['a multi-part file', [PART + 1072]],
  ] as const) {
    it(`is a 400 and spends none of the part's re-sends (${name})`, async () => {
      const s = await createShare({ sizes: [...sizes] });
      for (let k = 0; k < 2 * (1 + MAX_PART_RESENDS); k++) {
        const r = await shortPart(s, 0, k % 2 ? 'error' : 'close');
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('bad_request');
      }
      const listed = await callJson('GET', `/api/shares/${s.id}/uploads`, { auth: owner(s) });
      expect(listed.body.files[0].parts).toEqual([]);
      // The whole budget is still there: one send and MAX_PART_RESENDS re-sends, then 409.
      for (let k = 0; k < 1 + MAX_PART_RESENDS; k++) expect((await putPart(s, 0, 0)).status).toBe(200);
      expect((await putPart(s, 0, 0)).status).toBe(409);
    });
  }
});

describe('a JSON body shorter than its Content-Length', () => {
  for (const mode of ['close', 'error'] as const) {
    it(`is a 400 (${mode})`, async () => {
      const text = new TextEncoder().encode(JSON.stringify(createBody()));
      const r = await callJson('POST', '/api/shares', {
        body: cutShort(text.subarray(0, 20), mode),
        ip: freshIp(),
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(text.byteLength) },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    });
  }
});

describe('malformed Content-Length values', () => {
  const values = ['-1', '1072, 1072', '+1072', '1e3', '0x430', '99999999999999999999', '', ' '];
  it('are 400 on the part route and on JSON routes, never 5xx', async () => {
    const s = await createShare();
    const body = partOf(s, 0, 0);
    for (const v of values) {
      const p = await call('PUT', `/api/shares/${s.id}/files/0/parts/0`, { body, auth: owner(s), headers: { 'Content-Length': v } });
      expect([v, p.status]).toEqual([v, 400]);
      const j = await call('POST', '/api/shares', { body: JSON.stringify(createBody()), ip: freshIp(), headers: { 'Content-Type': 'application/json', 'Content-Length': v } });
      expect([v, j.status]).toEqual([v, 400]);
    }
    expect((await putPart(s, 0, 0)).status).toBe(200);
  });
});
