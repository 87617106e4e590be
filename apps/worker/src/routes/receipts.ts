// POST /api/shares/:id/notify (Owner): the sender asks to be told about their
// own share (views, downloads, wrong passwords, revoke, deletion), posted to
// their URL as signed JSON like an admin webhook. The per-share secret is
// returned once: a second registration is refused.
import type { NotifyResponse } from '@sealdrop/shared';
import { notifyRequest } from '@sealdrop/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { checkOwner, requireCredential } from '../middleware/auth.ts';
import { json } from '../middleware/json.ts';
import { config } from '../lib/config.ts';
import { Fail } from '../lib/errors.ts';
import { shareIdParam } from '../lib/params.ts';
import { loadShare } from '../lib/shares.ts';
import { now } from '../lib/time.ts';
import { checkWebhookUrl } from '../lib/webhook-url.ts';
import { forgetWebhookCache, webhookSecret } from '../lib/webhooks.ts';

export const receiptRoutes = new Hono<AppEnv>().post('/api/shares/:id/notify', json(notifyRequest, 4096), async (c) => {
  const id = shareIdParam(c.req.param('id'));
  const token = requireCredential(c, 'Owner');
  const s = await loadShare(c.env, id);
  if (!s) throw new Fail('not_found', 'no such share');
  if (!(await checkOwner(token, s))) throw new Fail('forbidden', 'this owner token does not belong to this share');
  if (s.status === 'revoked' || s.purged_at) throw new Fail('revoked', 'this share is gone');
  const url = checkWebhookUrl(c.req.valid('json').url, config(c.env).local).toString();
  const row = await c.env.DB.prepare('INSERT INTO share_receipts (share_id, url, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING share_id')
    .bind(id, url, now())
    .first();
  if (!row) throw new Fail('conflict', 'this share already notifies a URL (its secret was returned then)');
  forgetWebhookCache();
  return c.json({ url, secret: await webhookSecret(c.env, `receipt:${id}`) } satisfies NotifyResponse, 201);
});
