// GET /api/config: the deployment's limits, for clients to plan uploads, and the
// share policy (lib/policy.ts) so they can say what it requires before a refusal.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { config, publicConfig } from '../lib/config.ts';
import { getFreeze } from '../lib/freeze.ts';
import { policy } from '../lib/policy.ts';

// `freeze` tells senders and recipients why new shares or downloads are refused.
export const configRoutes = new Hono<AppEnv>().get('/api/config', async (c) => {
  const p = policy(c.env);
  return c.json({ ...publicConfig(config(c.env)), freeze: await getFreeze(c.env), ...(p ? { policy: p } : {}) });
});
