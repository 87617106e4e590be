// The Sealdrop worker: the HTTP API of DESIGN.md under /api, and the cron sweep.
// The SPA is served by Workers Static Assets (wrangler.toml [assets]) without
// running this code; only /api/* and /__scheduled reach it.
import { Hono } from 'hono';
import type { AppEnv, Env } from './env.ts';
import { clientIp } from './middleware/client-ip.ts';
import { deploymentGuard } from './middleware/deployment-guard.ts';
import { securityHeaders, withSecurityHeaders } from './middleware/security-headers.ts';
import { errorResponse, Fail } from './lib/errors.ts';
import { storageFailure, storageHealth } from './lib/storage.ts';
import { accessRoutes } from './routes/access.ts';
import { accessReportRoutes } from './routes/access-report.ts';
import { adminRoutes } from './routes/admin.ts';
import { advisoryRoutes } from './routes/advisory.ts';
import { configRoutes } from './routes/config.ts';
import { fileRoutes } from './routes/files.ts';
import { logRoutes } from './routes/log.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { receiptRoutes } from './routes/receipts.ts';
import { ownerRoutes } from './routes/owner.ts';
import { reportRoutes } from './routes/reports.ts';
import { requestRoutes } from './routes/requests.ts';
import { shareRoutes } from './routes/shares.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { sweep } from './sweep.ts';
import { deliverOutbox, deliverSoon } from './lib/webhooks.ts';

export type { Env } from './env.ts';

export const app = new Hono<AppEnv>()
  .use('*', deploymentGuard, clientIp, securityHeaders)
  .get('/api/health', (c) => {
    const h = storageHealth();
    return c.json(h.body, h.status);
  })
  .route('/', configRoutes)
  .route('/', shareRoutes)
  .route('/', uploadRoutes)
  .route('/', accessRoutes)
  .route('/', fileRoutes)
  .route('/', ownerRoutes)
  .route('/', reportRoutes)
  .route('/', accessReportRoutes)
  // Before adminRoutes: these bring their own adminAuth (/api/admin/log/*, /api/admin/webhooks*, /api/admin/requests).
  .route('/', logRoutes)
  .route('/', webhookRoutes)
  .route('/', receiptRoutes)
  .route('/', requestRoutes)
  .route('/', adminRoutes)
  .route('/', advisoryRoutes);

app.notFound(() => errorResponse('not_found', 'no such route'));
app.onError((err) => {
  if (err instanceof Fail) return errorResponse(err.code, err.message, err.retryAfter, err.headers, err.advisory);
  // A write that found no room (R2, or D1 on a full disk) is a 503 that says so, not a generic 500.
  const full = storageFailure(err);
  if (full) return errorResponse(full.code, full.message, full.retryAfter);
  console.error('unhandled error', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  return errorResponse('internal', 'the server failed; try again');
});

export default {
  async fetch(req, env, ctx) {
    const res = withSecurityHeaders(await app.fetch(req, env, ctx));
    // Webhooks go out right after the request that wrote their log rows (after the answer).
    if (new URL(req.url).pathname.startsWith('/api/')) ctx.waitUntil(deliverSoon(env).catch(() => {}));
    return res;
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweep(env).finally(() => deliverOutbox(env)));
  },
} satisfies ExportedHandler<Env>;
