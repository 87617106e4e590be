// Server policy (POLICY): shown in /api/config, enforced at create with
// 403 policy_refused (nothing written), default countries applied, and a POLICY
// that does not parse failing closed.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import { ADMIN, callJson, createBody, freshIp } from './helpers.ts';

const POLICY = {
  requirePassword: false,
  scopes: { open: { maxExpirySeconds: 3600, maxDownloads: 2 }, upload: { maxDownloads: 50 } },
  requirePartnerTokenFor: ['partner:*'],
  defaultCountries: ['DE', 'AT'],
};

async function withPolicy(method: string, path: string, policy: unknown, o: { json?: unknown; auth?: string } = {}) {
  const headers = new Headers({ 'CF-Connecting-IP': freshIp() });
  if (o.json !== undefined) headers.set('Content-Type', 'application/json');
  if (o.auth) headers.set('Authorization', o.auth);
  const ctx = createExecutionContext();
  const req = new Request(`http://sealdrop.test${path}`, { method, headers, body: o.json === undefined ? undefined : JSON.stringify(o.json) });
  const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, { ...env, POLICY: typeof policy === 'string' ? policy : JSON.stringify(policy) }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

const shareCount = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM shares').first<{ n: number }>())!.n;

describe('server policy', () => {
  it('is shown in /api/config (and absent when unset)', async () => {
    expect((await withPolicy('GET', '/api/config', POLICY)).body.policy).toEqual(POLICY);
    expect((await callJson('GET', '/api/config')).body.policy).toBeUndefined();
  });

  it('refuses what the policy forbids with 403 policy_refused, writing nothing', async () => {
    const tok = await callJson('POST', '/api/admin/tokens', { auth: `Bearer ${ADMIN}`, json: { label: 'acme ci', scope: 'upload', expiresIn: 600, labels: ['partner:acme'] } });
    const plainTok = await callJson('POST', '/api/admin/tokens', { auth: `Bearer ${ADMIN}`, json: { label: 'ci', scope: 'upload', expiresIn: 600 } });
    const cases: [string, object, string | undefined, RegExp][] = [
      ['open expiry', { ...createBody({ expiresIn: 7200 }) }, undefined, /at most 3600 seconds/],
      ['open downloads', { ...createBody({ maxDownloads: 3 }) }, undefined, /at most 2 downloads/],
      ['upload downloads', { ...createBody({ maxDownloads: 51 }) }, `Bearer ${plainTok.body.token}`, /upload token allow at most 50/],
      ['partner label without requireLabel', { ...createBody({ maxDownloads: 5 }) }, `Bearer ${tok.body.token}`, /partner:acme must require a partner token/],
      ['own partner label', { ...createBody({ maxDownloads: 1 }), labels: ['partner:globex'] }, undefined, /partner:globex/],
    ];
    for (const [name, body, auth, msg] of cases) {
      const before = await shareCount();
      const r = await withPolicy('POST', '/api/shares', POLICY, { json: body, auth });
      expect(r.status, name).toBe(403);
      expect(r.body.error.code).toBe('policy_refused');
      expect(r.body.error.message).toMatch(msg);
      expect(await shareCount()).toBe(before);
    }
    const pw = await withPolicy('POST', '/api/shares', { requirePassword: true }, { json: createBody() });
    expect(pw.status).toBe(403);
    expect(pw.body.error.message).toMatch(/password/);
    expect((await withPolicy('POST', '/api/shares', { requirePassword: true }, { json: createBody({ password: true }) })).status).toBe(201);
  });

  it('accepts what it allows, and gives shares without countries the default ones', async () => {
    const tok = await callJson('POST', '/api/admin/tokens', { auth: `Bearer ${ADMIN}`, json: { label: 'acme ci', scope: 'upload', expiresIn: 600, labels: ['partner:acme'] } });
    const ok = await withPolicy('POST', '/api/shares', POLICY, { json: { ...createBody({ maxDownloads: 50 }), requireLabel: 'partner:acme' }, auth: `Bearer ${tok.body.token}` });
    expect(ok.status).toBe(201);
    const row = await env.DB.prepare('SELECT countries, labels, require_label FROM shares WHERE id = ?').bind(ok.body.id).first<Record<string, string>>();
    expect(JSON.parse(row!.countries)).toEqual(['DE', 'AT']);
    expect(row!.require_label).toBe('partner:acme');
    const own = await withPolicy('POST', '/api/shares', POLICY, { json: { ...createBody({ maxDownloads: 2 }), countries: ['CH'] } });
    expect(own.status).toBe(201);
    expect((await env.DB.prepare('SELECT countries FROM shares WHERE id = ?').bind(own.body.id).first<{ countries: string }>())!.countries).toBe('["CH"]');
  });

  it('a POLICY that does not parse fails closed (503 naming it), never silently open', async () => {
    for (const bad of ['{not json', JSON.stringify({ requirePasword: true }), JSON.stringify({ scopes: { open: { maxDownloads: -1 } } })]) {
      const before = await shareCount();
      const r = await withPolicy('POST', '/api/shares', bad, { json: createBody() });
      expect(r.status).toBe(503);
      expect(r.body.error.message).toMatch(/POLICY/);
      expect(await shareCount()).toBe(before);
      expect((await withPolicy('GET', '/api/config', bad)).status).toBe(503);
    }
  });
});
