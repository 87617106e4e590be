// GET /api/config: the deployment's limits, for clients to plan uploads.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { config, publicConfig } from '../lib/config.ts';

export const configRoutes = new Hono<AppEnv>().get('/api/config', (c) => c.json(publicConfig(config(c.env))));
