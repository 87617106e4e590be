// The security headers of DESIGN.md "Security posture" on every worker response,
// with the exact values of apps/web/public/_headers (which covers the SPA), plus
// Cache-Control: no-store. A route may set its own CSP or Cache-Control first
// (file downloads do). State-changing requests from another site are refused.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { Fail } from '../lib/errors.ts';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; style-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy':
    'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method) && c.req.header('Sec-Fetch-Site') === 'cross-site') {
    throw new Fail('forbidden', 'cross-site requests are not accepted');
  }
  await next();
};

/** Applied to the final response (including errors) in index.ts. */
export function withSecurityHeaders(res: Response): Response {
  let out = res;
  try {
    out.headers.set('X-Probe', '1');
    out.headers.delete('X-Probe');
  } catch {
    out = new Response(res.body, res); // immutable headers (e.g. a fetched response)
  }
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
    if (!out.headers.has(k)) out.headers.set(k, v);
  }
  if (!out.headers.has('Cache-Control')) out.headers.set('Cache-Control', 'no-store');
  return out;
}
