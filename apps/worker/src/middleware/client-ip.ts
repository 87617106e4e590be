// The client address comes from CF-Connecting-IP (set by Cloudflare, and by
// wrangler dev to the loopback address). Without it (only in local tests, LOCAL=1)
// it is 127.0.0.1; elsewhere such clients share one 'unknown' bucket.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { parseClientIp } from '../lib/ip.ts';

export const clientIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('CF-Connecting-IP');
  c.set('ip', parseClientIp(header ?? (c.env.LOCAL === '1' ? '127.0.0.1' : null)));
  await next();
};
