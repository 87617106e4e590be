// Admin sign-in through Cloudflare Access: when ACCESS_TEAM_DOMAIN and ACCESS_AUD
// are set, the admin routes also accept the `Cf-Access-Jwt-Assertion` JWT that
// Access puts on every request it let through. Verified with jose: RS256 only
// (alg=none and HMAC are refused), the team's issuer, the application's audience,
// expiry (a minute of clock skew). The JWKS comes from the team's certs URL,
// cached by jose and fetched again when a token names an unknown key id (at most
// every 30 s). The signed-in email becomes the actor in the access log.
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Env } from '../env.ts';

export const ACCESS_JWT_HEADER = 'Cf-Access-Jwt-Assertion';

/** The team's issuer, `https://<team>.cloudflareaccess.com` (a bare host or a URL in the variable). */
export function accessIssuer(teamDomain: string): string {
  const host = teamDomain.trim().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return `https://${host}`;
}

export function accessConfigured(env: Env): boolean {
  return Boolean(env.ACCESS_TEAM_DOMAIN?.trim() && env.ACCESS_AUD?.trim());
}

// Key sets live as long as the isolate: jose keeps the fetched keys and refetches on an unknown kid.
const remoteSets = new Map<string, JWTVerifyGetKey>();
const localSets = new Map<string, JWTVerifyGetKey>();

/** An inline JWKS is for tests only: honoured with LOCAL=1, which a deployment refuses on a public host. */
export function usesInlineJwks(env: Env): boolean {
  return env.LOCAL === '1' && Boolean(env.ACCESS_JWKS);
}

function keySet(env: Env, issuer: string): JWTVerifyGetKey {
  if (usesInlineJwks(env)) {
    const text = env.ACCESS_JWKS!;
    let set = localSets.get(text);
    if (!set) {
      set = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
      localSets.set(text, set);
    }
    return set;
  }
  const url = `${issuer}/cdn-cgi/access/certs`;
  let set = remoteSets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    remoteSets.set(url, set);
  }
  return set;
}

/** Why a JWT was refused, for the log (never the token itself). */
export type AccessResult = { ok: true; email: string } | { ok: false; reason: string };

export async function verifyAccessJwt(env: Env, jwt: string): Promise<AccessResult> {
  if (!accessConfigured(env)) return { ok: false, reason: 'access sign-in is not configured' };
  const issuer = accessIssuer(env.ACCESS_TEAM_DOMAIN!);
  try {
    const { payload } = await jwtVerify(jwt, keySet(env, issuer), {
      issuer,
      audience: env.ACCESS_AUD!.trim(),
      algorithms: ['RS256'],
      clockTolerance: 60,
      requiredClaims: ['exp', 'iat'],
    });
    const email = typeof payload.email === 'string' ? payload.email : null;
    if (!email || email.length > 320) return { ok: false, reason: 'the token carries no email' };
    return { ok: true, email };
  } catch (e) {
    return { ok: false, reason: (e as { code?: string }).code ?? 'invalid token' };
  }
}
