// The client address. On Cloudflare it is CF-Connecting-IP, which the platform
// sets (and overwrites) on every request. A local run (LOCAL=1) only listens on
// the loopback and nothing there sets the header, so a client could send any
// value and dodge the per-address limits: every request counts as 127.0.0.1.
// TRUST_CLIENT_IP=1 (honoured only with LOCAL=1) lets a test harness stand in for
// the platform and play many addresses. Elsewhere, without the header, clients
// share one 'unknown' bucket.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Env } from '../env.ts';
import { parseClientIp } from '../lib/ip.ts';

/** Whether CF-Connecting-IP comes from the platform (or a harness that plays it). */
export function headerTrusted(env: Env): boolean {
  return env.LOCAL !== '1' || env.TRUST_CLIENT_IP === '1';
}

export const clientIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = headerTrusted(c.env) ? c.req.header('CF-Connecting-IP') : undefined;
  c.set('ip', parseClientIp(header ?? (c.env.LOCAL === '1' ? '127.0.0.1' : null)));
  await next();
};
