// The worker refuses to serve an unsafe deployment (503 naming the variable), and
// refuses weak secrets that a length check alone would let through.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import { secretWeakness } from '../src/lib/secrets.ts';
import { isLocalHost } from '../src/middleware/deployment-guard.ts';
import { createBody, freshIp, readyShare, tableCounts } from './helpers.ts';

/** A request to `url` with other env values, as the deployed worker would get it. */
async function callWith(vars: Record<string, string | undefined>, method: string, url: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, { method, ...init }) as any, { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: await res.json<any>() };
}

const WEAK = [
  undefined,
  '',
  'short-secret',
  'passwordpasswordpasswordpassword',
  'abcdefghijklmnopqrstuvwxyz0123456789',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3',
  'correct horse battery staple xyz!',
];

function randomSecret(bytes: number, encoding: 'hex' | 'base64url'): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  if (encoding === 'hex') return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('secret strength', () => {
  it('refuses short, repeated, sequential and word-like secrets', () => {
    for (const s of WEAK) expect(secretWeakness(s), JSON.stringify(s)).not.toBeNull();
  });

  it('accepts 32 random bytes in hex or base64url (as npm start and `openssl rand` make them)', () => {
    for (let i = 0; i < 2000; i++) {
      expect(secretWeakness(randomSecret(32, 'hex'))).toBeNull();
      expect(secretWeakness(randomSecret(32, 'base64url'))).toBeNull();
    }
    expect(secretWeakness(env.SERVER_SECRET)).toBeNull();
    expect(secretWeakness(env.ADMIN_TOKEN)).toBeNull();
  });
});

describe('SERVER_SECRET missing or weak', () => {
  it('every API route answers 503 naming SERVER_SECRET, and a create stores nothing', async () => {
    for (const secret of WEAK) {
      const before = await tableCounts();
      const create = await callWith({ SERVER_SECRET: secret }, 'POST', 'http://sealdrop.test/api/shares', {
        headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': freshIp() },
        body: JSON.stringify(createBody()),
      });
      expect(create.status).toBe(503);
      expect(create.body.error.code).toBe('unavailable');
      expect(create.body.error.message).toContain('SERVER_SECRET');
      expect(await tableCounts()).toEqual(before);
      for (const path of ['/api/health', '/api/config', '/api/admin/stats']) {
        const r = await callWith({ SERVER_SECRET: secret }, 'GET', `http://sealdrop.test${path}`);
        expect(r.status, path).toBe(503);
        expect(r.body.error.message).toContain('SERVER_SECRET');
      }
    }
  });

  it('a ready share cannot be opened with a weak secret, and opens again once it is strong', async () => {
    const s = await readyShare();
    const weak = await callWith({ SERVER_SECRET: 'passwordpasswordpasswordpassword' }, 'GET', `http://sealdrop.test/api/shares/${s.id}`);
    expect(weak.status).toBe(503);
    const ok = await callWith({}, 'GET', `http://sealdrop.test/api/shares/${s.id}`);
    expect(ok.status).toBe(200);
  });
});

describe('ADMIN_TOKEN weak', () => {
  it('the admin API answers 503 naming ADMIN_TOKEN, even to the weak token itself', async () => {
    for (const token of WEAK.filter((t) => t)) {
      const r = await callWith({ ADMIN_TOKEN: token }, 'GET', 'http://sealdrop.test/api/admin/stats', {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(r.status).toBe(503);
      expect(r.body.error.message).toContain('ADMIN_TOKEN');
    }
    const ok = await callWith({}, 'GET', 'http://sealdrop.test/api/admin/stats', { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
  });
});

describe('LOCAL=1 on a deployed worker', () => {
  it('a request for a public host answers 503 naming LOCAL; loopback hosts are served', async () => {
    for (const url of ['https://drop.example.com/api/health', 'https://sealdrop.someone.workers.dev/api/config', 'http://203.0.113.7/api/health']) {
      const r = await callWith({ LOCAL: '1' }, 'GET', url);
      expect(r.status, url).toBe(503);
      expect(r.body.error.message).toContain('LOCAL');
      // Without LOCAL the same deployment serves.
      expect((await callWith({ LOCAL: undefined }, 'GET', url)).status, url).toBe(200);
    }
    for (const url of ['http://localhost:8787/api/health', 'http://127.0.0.1:8787/api/health', 'http://[::1]:8787/api/health']) {
      expect((await callWith({ LOCAL: '1' }, 'GET', url)).status, url).toBe(200);
    }
  });

  it('knows which hosts the edge never serves', () => {
    for (const h of ['localhost', 'a.localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'sealdrop.test', 'local']) expect(isLocalHost(h), h).toBe(true);
    for (const h of ['drop.example.com', 'x.workers.dev', '10.0.0.1', '203.0.113.7', '[2001:db8::1]', 'localhost.example.com', 'test.example.com'])
      expect(isLocalHost(h), h).toBe(false);
  });
});
