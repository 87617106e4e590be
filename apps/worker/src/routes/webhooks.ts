// Webhook endpoints for admins (README "Webhooks"): register (the secret is
// shown once), list with delivery status, delete, see deliveries, redeliver.
import {
  createWebhookRequest,
  type CreateWebhookResponse,
  type Webhook,
  type WebhookDeliveriesResponse,
  type WebhookDelivery,
  type WebhooksResponse,
} from '@sealdrop/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../middleware/auth.ts';
import { json } from '../middleware/json.ts';
import { b64uEncode, randomBytes } from '@sealdrop/crypto';
import { config } from '../lib/config.ts';
import { Fail } from '../lib/errors.ts';
import { parseLabels } from '../lib/labels.ts';
import { isoOrNull, iso, now } from '../lib/time.ts';
import { checkWebhookUrl } from '../lib/webhook-url.ts';
import { deliverSoon, forgetWebhookCache, webhookSecret, type WebhookFormat } from '../lib/webhooks.ts';

interface WebhookRow {
  id: string;
  url: string;
  events: string;
  labels: string | null;
  format: WebhookFormat;
  created_at: number;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  last_success_at: number | null;
  failures: number;
  pending: number;
}

const MAX_ENDPOINTS = 20;

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as string[],
  format: r.format,
  labels: parseLabels(r.labels),
  createdAt: iso(r.created_at),
  lastStatus: r.last_status,
  lastError: r.last_error,
  lastAttemptAt: isoOrNull(r.last_attempt_at),
  lastSuccessAt: isoOrNull(r.last_success_at),
  failures: r.failures,
  pending: r.pending ?? 0,
});

const SELECT = `SELECT w.*, (SELECT COUNT(*) FROM webhook_outbox o WHERE o.endpoint_id = w.id AND o.delivered_at IS NULL) AS pending FROM webhooks w`;

function webhookId(v: string): string {
  if (!/^[A-Za-z0-9_-]{12}$/.test(v)) throw new Fail('not_found', 'no such webhook');
  return v;
}

export const webhookRoutes = new Hono<AppEnv>()
  .use('/api/admin/webhooks', adminAuth)
  .use('/api/admin/webhooks/*', adminAuth)

  .get('/api/admin/webhooks', async (c) => {
    const { results } = await c.env.DB.prepare(`${SELECT} ORDER BY w.created_at DESC`).all<WebhookRow>();
    return c.json({ webhooks: results.map(toWebhook) } satisfies WebhooksResponse);
  })

  .post('/api/admin/webhooks', json(createWebhookRequest, 8192), async (c) => {
    const body = c.req.valid('json');
    const url = checkWebhookUrl(body.url, config(c.env).local).toString();
    const events = body.events.includes('*') ? ['*'] : [...new Set(body.events)];
    const id = b64uEncode(randomBytes(9));
    const t = now();
    const row = await c.env.DB.prepare(
      `INSERT INTO webhooks (id, url, events, labels, format, created_at, created_by)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM webhooks) < ${MAX_ENDPOINTS} RETURNING id`,
    )
      .bind(id, url, JSON.stringify(events), body.labels?.length ? JSON.stringify(body.labels) : null, body.format ?? 'json', t, c.var.tokenId)
      .first();
    if (!row) throw new Fail('conflict', `at most ${MAX_ENDPOINTS} webhook endpoints`);
    forgetWebhookCache();
    const created = (await c.env.DB.prepare(`${SELECT} WHERE w.id = ?`).bind(id).first<WebhookRow>())!;
    return c.json({ ...toWebhook(created), secret: await webhookSecret(c.env, id) } satisfies CreateWebhookResponse, 201);
  })

  .delete('/api/admin/webhooks/:wid', async (c) => {
    const id = webhookId(c.req.param('wid'));
    const [gone] = await c.env.DB.batch([
      c.env.DB.prepare('DELETE FROM webhooks WHERE id = ?').bind(id),
      c.env.DB.prepare('DELETE FROM webhook_outbox WHERE endpoint_id = ?').bind(id),
    ]);
    if (gone.meta.changes === 0) throw new Fail('not_found', 'no such webhook');
    forgetWebhookCache();
    return c.json({ ok: true });
  })

  .get('/api/admin/webhooks/:wid/deliveries', async (c) => {
    const id = webhookId(c.req.param('wid'));
    const hook = await c.env.DB.prepare('SELECT id FROM webhooks WHERE id = ?').bind(id).first();
    if (!hook) throw new Fail('not_found', 'no such webhook');
    const { results } = await c.env.DB.prepare('SELECT * FROM webhook_outbox WHERE endpoint_id = ? ORDER BY id DESC LIMIT 100')
      .bind(id)
      .all<{ id: number; event: string; share_id: string | null; created_at: number; attempts: number; next_at: number; delivered_at: number | null; last_status: number | null; last_error: string | null }>();
    const deliveries = results.map(
      (r): WebhookDelivery => ({
        id: r.id,
        event: r.event,
        shareId: r.share_id,
        createdAt: iso(r.created_at),
        attempts: r.attempts,
        nextAt: r.delivered_at ? null : iso(r.next_at),
        deliveredAt: isoOrNull(r.delivered_at),
        lastStatus: r.last_status,
        lastError: r.last_error,
      }),
    );
    return c.json({ deliveries } satisfies WebhookDeliveriesResponse);
  })

  .post('/api/admin/webhooks/:wid/deliveries/:did/redeliver', async (c) => {
    const id = webhookId(c.req.param('wid'));
    const did = c.req.param('did');
    if (!/^[1-9][0-9]{0,15}$/.test(did)) throw new Fail('not_found', 'no such delivery');
    const row = await c.env.DB.prepare(
      'UPDATE webhook_outbox SET delivered_at = NULL, attempts = 0, next_at = ?, lease_until = 0 WHERE id = ? AND endpoint_id = ? RETURNING id',
    )
      .bind(now(), Number(did), id)
      .first();
    if (!row) throw new Fail('not_found', 'no such delivery');
    c.executionCtx.waitUntil(deliverSoon(c.env).catch(() => {}));
    return c.json({ ok: true }, 202);
  });
