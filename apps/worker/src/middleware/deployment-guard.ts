// The worker refuses to serve (503, naming the variable) when its configuration
// would be unsafe: a LOCAL=1 left on a deployed worker (it would count every
// request without CF-Connecting-IP as 127.0.0.1 and let RATE_LIMITS=off lift the
// limiters), or a SERVER_SECRET that is missing or weak (challenges and grants
// would be forgeable, and shares created now could never be downloaded).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { Fail } from '../lib/errors.ts';
import { secretProblem } from '../lib/secrets.ts';

/**
 * True for a host that Cloudflare's edge never serves: a loopback address, a
 * single-label name (`localhost`) or a name under a special-use TLD that public DNS
 * never resolves (`.localhost`, `.test`: RFC 6761). A request for any other host
 * reached a deployed worker.
 */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (!h.includes('.') && !h.includes(':')) return true;
  return h.endsWith('.localhost') || h.endsWith('.test');
}

export const deploymentGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.env.LOCAL === '1' && !isLocalHost(new URL(c.req.url).hostname)) {
    throw new Fail('unavailable', 'the server is misconfigured: LOCAL=1 is for local runs only; remove LOCAL from the deployed variables');
  }
  const problem = secretProblem('SERVER_SECRET', c.env.SERVER_SECRET);
  if (problem) throw new Fail('unavailable', `the server is not configured: ${problem}`);
  await next();
};
