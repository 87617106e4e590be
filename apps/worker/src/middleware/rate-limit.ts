// Per-IP rate limits with the Workers `ratelimits` bindings (IPv6 keyed by /64).
// A limited request is 429 with Retry-After; it is logged at most once a minute
// per client and limiter (per isolate), so a flood cannot turn into log writes.
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { Fail } from '../lib/errors.ts';
import { writeLog } from '../lib/log.ts';
import { now } from '../lib/time.ts';

export type Limiter = 'RL_CREATE' | 'RL_BAD_LINK' | 'RL_REPORT' | 'RL_ADMIN';

/** The period of every binding in wrangler.toml. */
const PERIOD_SECONDS = 60;
const lastLogged = new Map<string, number>();

/** Take one unit of `limiter` for this client; throws 429 when there is none left. */
export async function charge(c: Context<AppEnv>, limiter: Limiter, shareId: string | null = null): Promise<void> {
  const binding = c.env[limiter];
  if (!binding || ratesUnlimited(c)) return;
  const key = `${limiter}:${c.var.ip.key}`;
  const { success } = await binding.limit({ key });
  if (success) return;
  const t = now();
  if ((lastLogged.get(key) ?? 0) < t - PERIOD_SECONDS * 1000) {
    if (lastLogged.size > 10_000) lastLogged.clear();
    lastLogged.set(key, t);
    await writeLog({ env: c.env, req: c.req.raw, ip: c.var.ip }, {
      shareId,
      event: 'rate_limited',
      outcome: 'rate_limited',
      detail: limiter,
    });
  }
  throw new Fail('rate_limited', 'too many requests from your address; try again in a minute', PERIOD_SECONDS);
}

/**
 * Test stacks (`npm test` runs hundreds of requests from 127.0.0.1) may switch the
 * per-IP limiters off, and only a local development instance honours it.
 */
function ratesUnlimited(c: Context<AppEnv>): boolean {
  return c.env.LOCAL === '1' && c.env.RATE_LIMITS === 'off';
}

export function rateLimit(limiter: Limiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await charge(c, limiter);
    await next();
  };
}
