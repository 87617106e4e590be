// Every API response carries the SPA's security headers (the exact values of
// apps/web/public/_headers) and Cache-Control: no-store; file responses carry the
// download headers of DESIGN.md instead of the SPA's CSP.
import headersFile from '../../web/public/_headers?raw';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../src/middleware/security-headers.ts';
import { ADMIN, call, download, readyShare } from './helpers.ts';

/** The headers that _headers gives to every path (`/*`). */
function spaHeaders(): Record<string, string> {
  const out: Record<string, string> = {};
  let inAll = false;
  for (const line of headersFile.split('\n')) {
    if (/^\S/.test(line)) inAll = line.trim() === '/*';
    else if (inAll && line.trim()) {
      const i = line.indexOf(':');
      out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
  }
  return out;
}

describe('security headers', () => {
  const expected = spaHeaders();

  it('the worker uses exactly the values of apps/web/public/_headers', () => {
    expect(Object.keys(expected)).toHaveLength(8);
    expect(Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k.toLowerCase(), v]))).toEqual(expected);
  });

  it('are on success and error answers, through the real fetch path too', async () => {
    const responses = [
      await exports.default.fetch('http://sealdrop.test/api/health'),
      await exports.default.fetch('http://sealdrop.test/api/nope'),
      await call('GET', '/api/config'),
      await call('GET', '/api/shares/AAAAAAAAAAAAAAAAAAAAAA'),
      await call('POST', '/api/shares', { body: 'x', headers: { 'Content-Type': 'text/plain' } }),
      await call('GET', '/api/admin/stats'),
      await call('GET', '/api/admin/stats', { auth: `Bearer ${ADMIN}` }),
      await call('GET', '/api/admin/log?format=csv', { auth: `Bearer ${ADMIN}` }),
    ];
    for (const res of responses) {
      for (const [name, value] of Object.entries(expected)) expect(res.headers.get(name), `${res.url} ${name}`).toBe(value);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
      await res.arrayBuffer();
    }
  });

  it('file answers are octet-stream attachments with no name, sandboxed and never cached', async () => {
    const s = await readyShare();
    const { grant } = await download(s);
    for (const res of [
      await call('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${grant}` }),
      await call('HEAD', `/api/shares/${s.id}/files/0`, { auth: `Grant ${grant}` }),
      await call('GET', `/api/shares/${s.id}/files/0`, { auth: `Grant ${grant}`, headers: { Range: 'bytes=0-9' } }),
    ]) {
      expect(res.headers.get('Content-Type')).toBe('application/octet-stream');
      expect(res.headers.get('Content-Disposition')).toBe('attachment');
      expect(res.headers.get('Cache-Control')).toBe('private, no-store');
      expect(res.headers.get('Content-Security-Policy')).toBe("default-src 'none'; sandbox");
      for (const name of ['x-content-type-options', 'referrer-policy', 'x-frame-options', 'cross-origin-resource-policy', 'strict-transport-security']) {
        expect(res.headers.get(name)).toBe(expected[name]);
      }
      await res.arrayBuffer();
    }
  });

  it('answers 429 with Retry-After and the headers', async () => {
    const ip = '192.0.2.77';
    let last: Response | undefined;
    for (let k = 0; k < 7; k++) {
      last = await call('POST', '/api/shares/AAAAAAAAAAAAAAAAAAAAAA/report', { json: { reason: 'spam' }, ip });
      if (last.status === 429) break;
      await last.arrayBuffer();
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get('Retry-After')).toBe('60');
    expect(last!.headers.get('Cache-Control')).toBe('no-store');
    expect((await last!.json<any>()).error.code).toBe('rate_limited');
  });
});
