// Admin sign-in through Cloudflare Access, with a JWKS and tokens made here
// (ACCESS_JWKS inline, honoured only with LOCAL=1): the right token opens the
// admin API and logs the email; expired, wrong audience, wrong issuer, unknown
// key id, alg=none and HS256 tokens are refused; bearer tokens keep working.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import { accessIssuer, usesInlineJwks } from '../src/middleware/accessJwt.ts';
import { ADMIN } from './helpers.ts';

const TEAM = 'sealdrop-test.cloudflareaccess.com';
const AUD = 'a1b2c3d4e5f6-test-aud';
let jwks: { keys: JWK[] };
let signingKey: CryptoKey;
let strangerKey: CryptoKey;

beforeAll(async () => {
  const kp = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  signingKey = kp.privateKey as CryptoKey;
  strangerKey = other.privateKey as CryptoKey;
  jwks = { keys: [{ ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});

async function adminCall(headers: Record<string, string>, extraEnv: Record<string, string | undefined> = {}) {
  const e = { ...env, ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, ACCESS_JWKS: JSON.stringify(jwks), ...extraEnv };
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request('http://sealdrop.test/api/admin/stats', { headers }) as Request<unknown, IncomingRequestCfProperties>, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function jwt(o: { key?: CryptoKey; kid?: string; aud?: string; iss?: string; exp?: number; email?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: o.email ?? 'alice@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' })
    .setIssuer(o.iss ?? `https://${TEAM}`)
    .setAudience(o.aud ?? AUD)
    .setIssuedAt(now - 10)
    .setExpirationTime(o.exp ?? now + 600)
    .sign(o.key ?? signingKey);
}

const b64u = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function lastAdminLog() {
  return (await env.DB.prepare("SELECT outcome, detail, token_id FROM access_log WHERE event = 'admin' ORDER BY id DESC LIMIT 1").first<{
    outcome: string;
    detail: string;
    token_id: string | null;
  }>())!;
}

describe('Cloudflare Access sign-in', () => {
  it('a valid Access JWT opens the admin API and the email is logged as the actor', async () => {
    const email = `ops-${crypto.randomUUID().slice(0, 6)}@example.com`;
    const r = await adminCall({ 'Cf-Access-Jwt-Assertion': await jwt({ email }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toHaveProperty('activeShares');
    expect(await lastAdminLog()).toMatchObject({ outcome: 'ok', token_id: `access:${email}` });
  });

  it('refuses expired, wrong audience, wrong issuer, unknown key id, wrong key, alg=none and HS256 tokens, logging why', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = (h: object) => b64u(JSON.stringify(h));
    const claims = b64u(JSON.stringify({ email: 'eve@example.com', iss: `https://${TEAM}`, aud: AUD, iat: now, exp: now + 600 }));
    const hmacKey = new TextEncoder().encode('x'.repeat(32));
    const cases: [string, string, RegExp][] = [
      ['expired', await jwt({ exp: now - 3600 }), /ERR_JWT_EXPIRED/],
      ['wrong audience', await jwt({ aud: 'someone-else' }), /ERR_JWT_CLAIM_VALIDATION_FAILED/],
      ['wrong issuer', await jwt({ iss: 'https://evil.cloudflareaccess.com' }), /ERR_JWT_CLAIM_VALIDATION_FAILED/],
      ['unknown kid', await jwt({ kid: 'k-unknown', key: strangerKey }), /ERR_JWKS_NO_MATCHING_KEY/],
      ['known kid, wrong key', await jwt({ key: strangerKey }), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
      ['alg=none', `${header({ alg: 'none', kid: 'k1' })}.${claims}.`, /ERR_JOSE_ALG_NOT_ALLOWED|ERR_JWS_INVALID/],
      [
        'HS256',
        await new SignJWT({ email: 'eve@example.com' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(`https://${TEAM}`).setAudience(AUD).setIssuedAt().setExpirationTime('10m').sign(hmacKey),
        /ERR_JOSE_ALG_NOT_ALLOWED/,
      ],
      ['garbage', 'not.a.jwt', /ERR_JWS_INVALID|ERR_JWT_INVALID|invalid/],
    ];
    for (const [name, token, why] of cases) {
      const r = await adminCall({ 'Cf-Access-Jwt-Assertion': token });
      expect(r.status, name).toBe(401);
      expect(((await r.json()) as any).error.code).toBe('unauthorized');
      const log = await lastAdminLog();
      expect(log.outcome).toBe('unauthorized');
      expect(log.detail, name).toMatch(why);
      expect(log.token_id).toBeNull();
    }
  });

  it('is off unless both ACCESS_TEAM_DOMAIN and ACCESS_AUD are set; the inline JWKS only with LOCAL=1', async () => {
    const token = await jwt();
    expect((await adminCall({ 'Cf-Access-Jwt-Assertion': token }, { ACCESS_AUD: undefined })).status).toBe(401);
    expect((await adminCall({ 'Cf-Access-Jwt-Assertion': token }, { ACCESS_TEAM_DOMAIN: '' })).status).toBe(401);
    // Without LOCAL the inline set is ignored (the team's certs URL is used; not fetched here: no network in tests).
    expect(usesInlineJwks({ ...env, ACCESS_JWKS: JSON.stringify(jwks), LOCAL: undefined })).toBe(false);
    expect(usesInlineJwks({ ...env, ACCESS_JWKS: JSON.stringify(jwks), LOCAL: '1' })).toBe(true);
    expect(accessIssuer('https://team.cloudflareaccess.com/')).toBe('https://team.cloudflareaccess.com');
  });

  it('bearer tokens keep working next to Access (automation)', async () => {
    const r = await adminCall({ Authorization: `Bearer ${ADMIN}` });
    expect(r.status).toBe(200);
    expect((await lastAdminLog()).token_id).toBe('bootstrap');
    // A bad bearer is not rescued by a good JWT: the bearer is what was presented.
    expect((await adminCall({ Authorization: 'Bearer wrong-token-wrong-token-wrong', 'Cf-Access-Jwt-Assertion': await jwt() })).status).toBe(401);
  });
});
