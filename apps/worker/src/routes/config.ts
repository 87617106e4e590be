// GET /api/config: the deployment's limits, for clients to plan uploads.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { config, publicConfig } from '../lib/config.ts';
import { getFreeze } from '../lib/freeze.ts';

// `freeze` tells senders and recipients why new shares or downloads are refused.
export const configRoutes = new Hono<AppEnv>().get('/api/config', async (c) =>
  c.json({ ...publicConfig(config(c.env)), freeze: await getFreeze(c.env) }),
);
