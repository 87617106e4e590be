// sealdrop admin webhooks: register, list, inspect and redeliver webhook endpoints.
import { LABEL_RE, WEBHOOK_EVENTS, WEBHOOK_FORMATS, type CreateWebhookRequest, type WebhookFormat } from '@sealdrop/shared';
import { EXIT, usage } from '../exit.ts';
import { table } from '../table.ts';
import type { makeClient } from '../client.ts';

type Admin = ReturnType<ReturnType<typeof makeClient>['admin']>;

export async function run(admin: Admin, rest: string[], o: { url?: string; events?: string; format?: string; labels?: string; json: boolean }): Promise<number> {
  const out = (v: unknown) => console.log(JSON.stringify(v, null, 2));
  const sub = rest[0] ?? 'list';
  if (sub === 'list') {
    const { webhooks } = await admin.webhooks();
    if (o.json) return out(webhooks), EXIT.ok;
    console.log(
      table(
        ['id', 'url', 'events', 'labels', 'format', 'last status', 'failures', 'pending', 'last error'],
        webhooks.map((h) => [h.id, h.url, h.events.join(','), (h.labels ?? []).join(','), h.format, h.lastStatus === null ? '' : String(h.lastStatus), String(h.failures), String(h.pending), h.lastError ?? '']),
      ),
    );
    return EXIT.ok;
  }
  if (sub === 'create') {
    if (!o.url) throw usage('webhooks create needs --url URL.');
    if (!o.events) throw usage(`webhooks create needs --events (comma-separated: ${WEBHOOK_EVENTS.join(', ')}; or all).`);
    const events = o.events === 'all' ? ['*'] : o.events.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = events.filter((e) => e !== '*' && !(WEBHOOK_EVENTS as readonly string[]).includes(e));
    if (bad.length) throw usage(`Unknown event ${bad.join(', ')} (one of ${WEBHOOK_EVENTS.join(', ')}, or all).`);
    if (o.format && !(WEBHOOK_FORMATS as readonly string[]).includes(o.format)) throw usage('--format must be json, slack or ocsf.');
    const labels = (o.labels ?? '').split(',').map((l) => l.trim()).filter(Boolean);
    const badLabel = labels.find((l) => !LABEL_RE.test(l));
    if (badLabel) throw usage(`--labels: "${badLabel}" is not key:value (e.g. partner:acme).`);
    const h = await admin.createWebhook({ url: o.url, events: events as CreateWebhookRequest['events'], format: o.format as WebhookFormat | undefined, ...(labels.length ? { labels } : {}) });
    if (o.json) return out(h), EXIT.ok;
    const only = h.labels?.length ? `, only shares labelled ${h.labels.join(' or ')}` : '';
    process.stderr.write(`Webhook ${h.id} (${h.format}) for ${h.events.join(', ')}${only} at ${h.url}. Its signing secret is shown once:\n`);
    console.log(h.secret);
    return EXIT.ok;
  }
  const id = rest[1];
  if (!id) throw usage(`webhooks ${sub} ID`);
  if (sub === 'delete') {
    await admin.deleteWebhook(id);
    process.stderr.write(`Webhook ${id} is removed.\n`);
    return EXIT.ok;
  }
  if (sub === 'deliveries') {
    const { deliveries } = await admin.webhookDeliveries(id);
    if (o.json) return out(deliveries), EXIT.ok;
    console.log(
      table(
        ['delivery', 'event', 'share', 'created', 'attempts', 'delivered', 'status', 'error'],
        deliveries.map((d) => [String(d.id), d.event, d.shareId ?? '', d.createdAt, String(d.attempts), d.deliveredAt ?? `next ${d.nextAt}`, d.lastStatus === null ? '' : String(d.lastStatus), d.lastError ?? '']),
      ),
    );
    return EXIT.ok;
  }
  if (sub === 'redeliver') {
    const n = Number(rest[2]);
    if (!Number.isSafeInteger(n) || n < 1) throw usage('webhooks redeliver ID DELIVERY (a delivery number from "webhooks deliveries ID").');
    await admin.redeliver(id, n);
    process.stderr.write(`Delivery ${n} is queued again.\n`);
    return EXIT.ok;
  }
  throw usage(`Unknown webhooks action "${sub}" (list, create, deliveries, redeliver, delete).`);
}
