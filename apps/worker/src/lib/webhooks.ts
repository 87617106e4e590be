// Webhook delivery from the D1 outbox: claim due rows, send each as one signed
// POST, record the result, retry with back-off. Per endpoint, a share's events
// go out in order: a row waits while an older row of the same share is pending.
// The worker fetches with a timeout, follows no redirect and reads at most 4 KiB
// of the answer.
import type { Env } from '../env.ts';
import { b64uEncode, hexEncode, utf8Encode } from '@sealdrop/crypto';
import { hmac } from './bytes.ts';
import { config } from './config.ts';
import { serverSecret } from './secrets.ts';
import { parsePublished } from './shares.ts';
import { iso, now } from './time.ts';
import { checkWebhookUrl } from './webhook-url.ts';

export type WebhookFormat = 'json' | 'slack' | 'ocsf';

export const SIGNATURE_HEADER = 'Sealdrop-Signature';
const TIMEOUT_MS = 10_000;
const READ_CAP = 4096;
const CLAIM = 50;
const LEASE_MS = 60_000;
/** Retry delays: 2 s, 4 s, 8 s … capped at 1 hour; given up after 20 attempts (about a day). */
export const MAX_ATTEMPTS = 20;
export const retryDelay = (attempts: number) => Math.min(3600_000, 1000 * 2 ** attempts);

/** The endpoint's signing secret (an owner receipt's endpoint is 'receipt:<share id>'): derived, never stored; shown once. */
export async function webhookSecret(env: Env, id: string): Promise<string> {
  return `whsec_${b64uEncode(await hmac(serverSecret(env), 'webhook secret', utf8Encode(id)))}`;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA-256(secret, "<t>." + body)>` */
export async function signatureHeader(secret: string, body: string, t: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8Encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8Encode(`${t}.${body}`)));
  return `t=${t},v1=${hexEncode(mac)}`;
}

interface EventPayload {
  logId?: number;
  event: string;
  at: number;
  shareId?: string | null;
  ip?: string | null;
  country?: string | null;
  userAgent?: string | null;
  outcome?: string | null;
  detail?: string | null;
  tokenId?: string | null;
  checkpoint?: unknown;
  /** The share's expiry, read at delivery (the log row does not carry it); null before finalize or once deleted. */
  expiresAt?: number | null;
  /** The files' SHA-256s, read at delivery, only when the sender published them (empty otherwise). */
  sha256?: string[];
}

const mask = (id: string | null | undefined) => (id ? `${id.slice(0, 4)}…` : null);

/** A Slack message names at most this many hashes (a share may hold thousands of files). */
const SLACK_MAX_SHA256 = 10;

/** The file index of a `file` event (its detail says `file=<i>`), or null. */
function fileIndex(p: EventPayload): number | null {
  if (p.event !== 'file') return null;
  const m = /(?:^| )file=(\d+)(?: |$)/.exec(p.detail ?? '');
  return m ? Number(m[1]) : null;
}

/** The published hashes an event is about: one file's for a `file` event, else all of the share's. */
function eventSha256(p: EventPayload): { file: number; sha256: string }[] {
  const all = (p.sha256 ?? []).map((sha256, file) => ({ file, sha256 }));
  const i = fileIndex(p);
  return i === null ? all : all.filter((h) => h.file === i);
}

/** `SHA-256 <hex>` for a one-file share, else `SHA-256 file 1 <hex>, file 2 <hex>…` (numbered from 1). */
function slackSha256(hashes: { file: number; sha256: string }[], files: number): string | null {
  if (!hashes.length) return null;
  const shown = hashes.slice(0, SLACK_MAX_SHA256).map((h) => (files > 1 ? `file ${h.file + 1} ${h.sha256}` : h.sha256));
  const more = hashes.length - shown.length;
  return `SHA-256 ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

const DESCRIBE: Record<string, string> = {
  create: 'share created', finalize: 'share finalized', manifest: 'manifest viewed', download: 'download granted',
  file: 'file fetched', bad_link: 'bad link proof', bad_password: 'wrong password', rate_limited: 'rate limit or back-off engaged',
  revoke: 'revoked', report: 'report filed', sweep_delete: 'deleted by the sweep', admin: 'admin action', alert: 'ALERT', checkpoint: 'log checkpoint',
};

/** The body for one endpoint format: our JSON, a Slack-compatible message, or OCSF. */
export function formatEvent(format: WebhookFormat, id: number, p: EventPayload): unknown {
  const at = iso(p.at);
  if (format === 'slack') {
    const parts = [`Sealdrop: ${DESCRIBE[p.event] ?? p.event}`];
    if (p.shareId) parts.push(`share ${mask(p.shareId)}`);
    if (p.outcome && p.outcome !== 'ok') parts.push(`outcome ${p.outcome}`);
    if (p.ip) parts.push(`from ${p.ip}${p.country ? ` (${p.country})` : ''}`);
    if (p.expiresAt) parts.push(`expires ${iso(p.expiresAt)}`);
    const sha = slackSha256(eventSha256(p), p.sha256?.length ?? 0);
    if (sha) parts.push(sha);
    parts.push(at);
    return { text: parts.join(' · ') };
  }
  if (format === 'ocsf') {
    const fileish = ['manifest', 'download', 'file'].includes(p.event);
    const ok = (p.outcome ?? 'ok') === 'ok';
    const hashes = eventSha256(p);
    const fingerprints = (h: typeof hashes) => h.map((x) => ({ algorithm_id: 3, algorithm: 'SHA-256', value: x.sha256 }));
    const [classUid, activityId] = fileish ? [1001, 2] : [6003, p.event === 'create' ? 1 : p.event === 'revoke' || p.event === 'sweep_delete' ? 4 : 99];
    return {
      class_uid: classUid,
      class_name: fileish ? 'File System Activity' : 'API Activity',
      category_uid: fileish ? 1 : 6,
      activity_id: activityId,
      type_uid: classUid * 100 + activityId,
      time: p.at,
      severity_id: ok ? 1 : 3,
      status_id: ok ? 1 : 2,
      status: ok ? 'Success' : 'Failure',
      status_detail: p.outcome ?? undefined,
      message: `${DESCRIBE[p.event] ?? p.event}${p.detail ? `: ${p.detail}` : ''}`,
      metadata: { version: '1.1.0', uid: String(id), product: { name: 'Sealdrop', vendor_name: 'Sealdrop' }, log_name: 'access_log' },
      src_endpoint: p.ip ? { ip: p.ip, location: p.country ? { country: p.country } : undefined } : undefined,
      http_request: p.userAgent ? { user_agent: p.userAgent } : undefined,
      ...(fileish
        ? { file: { name: p.shareId ?? '', type_id: 1, ...(hashes.length === 1 ? { hashes: fingerprints(hashes) } : {}) } }
        : { api: { operation: p.event } }),
      unmapped: {
        share_id: p.shareId ?? null,
        token_id: p.tokenId ?? null,
        log_id: p.logId ?? null,
        checkpoint: p.checkpoint,
        // Several files: OCSF's file object holds one, so the list goes here.
        ...(hashes.length > 1 || (!fileish && hashes.length) ? { sha256: hashes.map((h) => h.sha256) } : {}),
      },
    };
  }
  return { id, type: p.event, at, shareId: p.shareId ?? null, ip: p.ip ?? null, country: p.country ?? null, userAgent: p.userAgent ?? null, outcome: p.outcome ?? null, detail: p.detail ?? null, tokenId: p.tokenId ?? null, logId: p.logId ?? null, ...(p.checkpoint ? { checkpoint: p.checkpoint } : {}), ...(p.sha256?.length ? { sha256: p.sha256 } : {}) };
}

// The label filter (webhooks.labels): the access-log trigger queues every event
// for every endpoint; an endpoint with labels is sent only the events of a share
// carrying one of them, decided when the row is claimed (shares' labels never
// change after create, so reading them then is exact). Events without a share
// go only to endpoints without a filter.
const NO_LABEL_FILTER = `(w.labels IS NULL OR w.labels = '[]')`;
const WANTED = `COALESCE((SELECT ${NO_LABEL_FILTER} OR EXISTS (
         SELECT 1 FROM shares s, json_each(s.labels) sl, json_each(w.labels) wl
         WHERE s.id = webhook_outbox.share_id AND sl.value = wl.value)
       FROM webhooks w WHERE w.id = endpoint_id), 1)`;

/** Outbox rows for a checkpoint, for the seal's own batch (a witness the operator cannot rewrite later). */
export function checkpointOutbox(env: Env, checkpoint: { n: number; at: number }, cp: unknown): D1PreparedStatement {
  return env.DB.prepare(
    `INSERT INTO webhook_outbox (endpoint_id, share_id, event, payload, created_at, next_at)
     SELECT w.id, NULL, 'checkpoint', ?1, ?2, ?2 FROM webhooks w
     WHERE EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value IN ('*', 'checkpoint')) AND ${NO_LABEL_FILTER}`,
  ).bind(JSON.stringify({ event: 'checkpoint', at: checkpoint.at, checkpoint: cp }), checkpoint.at);
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  while (n < READ_CAP) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const all = new Uint8Array(Math.min(n, READ_CAP));
  let o = 0;
  for (const c of chunks) {
    all.set(c.subarray(0, all.length - o), o);
    o += Math.min(c.byteLength, all.length - o);
  }
  return new TextDecoder().decode(all);
}

interface Claimed {
  id: number;
  endpoint_id: string;
  share_id: string | null;
  event: string;
  payload: string;
  attempts: number;
  url: string;
  format: WebhookFormat;
  expires_at: number | null;
  /** The share's published SHA-256s (JSON) or null. */
  sha256s: string | null;
  /** 0 when the endpoint's label filter excludes this row's share. */
  wanted: number;
}

/** One POST; the status (0 when nothing answered) and an error text, or null on 2xx. */
export async function send(env: Env, row: Claimed, t: number): Promise<{ status: number; error: string | null }> {
  let url: URL;
  try {
    url = checkWebhookUrl(row.url, config(env).local);
  } catch (e) {
    return { status: 0, error: e instanceof Error ? e.message : 'url refused' };
  }
  const body = JSON.stringify(
    formatEvent(row.format, row.id, { ...(JSON.parse(row.payload) as EventPayload), expiresAt: row.expires_at, sha256: parsePublished(row.sha256s) }),
  );
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'Sealdrop-Webhook/1',
    'Sealdrop-Event': row.event,
    'Sealdrop-Delivery': String(row.id),
    [SIGNATURE_HEADER]: await signatureHeader(await webhookSecret(env, row.endpoint_id), body, Math.floor(t / 1000)),
  };
  try {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await readCapped(res);
    if (res.status >= 200 && res.status < 300) return { status: res.status, error: null };
    if (res.status >= 300 && res.status < 400) return { status: res.status, error: 'redirect not followed' };
    return { status: res.status, error: text.slice(0, 200) || `HTTP ${res.status}` };
  } catch (e) {
    const name = e instanceof Error ? e.name : '';
    return { status: 0, error: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${TIMEOUT_MS / 1000} s` : `connection failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 200) };
  }
}

/**
 * Delivers what is due. Rows are claimed with a lease in one statement, so two
 * deliverers (a request's waitUntil and the cron) never send the same row.
 */
export async function deliverOutbox(env: Env, t = now()): Promise<{ delivered: number; failed: number }> {
  const { results } = await env.DB.prepare(
    `UPDATE webhook_outbox SET lease_until = ?1 + ${LEASE_MS}
     WHERE id IN (
       SELECT o.id FROM webhook_outbox o
       WHERE o.delivered_at IS NULL AND o.attempts < ${MAX_ATTEMPTS} AND o.next_at <= ?1 AND o.lease_until < ?1
         AND NOT EXISTS (SELECT 1 FROM webhook_outbox p WHERE p.delivered_at IS NULL AND p.endpoint_id = o.endpoint_id
                         AND p.share_id IS o.share_id AND p.id < o.id AND p.attempts < ${MAX_ATTEMPTS})
       ORDER BY o.id LIMIT ${CLAIM})
     RETURNING id, endpoint_id, share_id, event, payload, attempts,
       COALESCE((SELECT url FROM webhooks w WHERE w.id = endpoint_id),
                (SELECT url FROM share_receipts r WHERE 'receipt:' || r.share_id = endpoint_id)) AS url,
       COALESCE((SELECT format FROM webhooks w WHERE w.id = endpoint_id), 'json') AS format,
       (SELECT s.expires_at FROM shares s WHERE s.id = webhook_outbox.share_id) AS expires_at,
       (SELECT s.sha256s FROM shares s WHERE s.id = webhook_outbox.share_id) AS sha256s,
       ${WANTED} AS wanted`,
  )
    .bind(t)
    .all<Claimed>();
  const rows = results.sort((a, b) => a.id - b.id);
  let delivered = 0;
  let failed = 0;
  // Per endpoint one after another (order within a share); endpoints in parallel.
  const byEndpoint = new Map<string, Claimed[]>();
  for (const r of rows) byEndpoint.set(r.endpoint_id, [...(byEndpoint.get(r.endpoint_id) ?? []), r]);
  await Promise.all(
    [...byEndpoint.values()].map(async (list) => {
      const blocked = new Set<string | null>();
      for (const r of list) {
        if (r.url === null || !r.wanted) {
          await env.DB.prepare('DELETE FROM webhook_outbox WHERE id = ?').bind(r.id).run();
          continue;
        }
        if (blocked.has(r.share_id)) {
          await env.DB.prepare('UPDATE webhook_outbox SET lease_until = 0 WHERE id = ?').bind(r.id).run();
          continue;
        }
        const res = await send(env, r, now());
        const at = now();
        if (res.error === null) {
          delivered++;
          await env.DB.batch([
            env.DB.prepare('UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1, last_status = ?, last_error = NULL WHERE id = ?').bind(at, res.status, r.id),
            env.DB.prepare('UPDATE webhooks SET last_status = ?, last_error = NULL, last_attempt_at = ?, last_success_at = ?, failures = 0 WHERE id = ?').bind(res.status, at, at, r.endpoint_id),
          ]);
        } else {
          failed++;
          blocked.add(r.share_id);
          await env.DB.batch([
            env.DB.prepare('UPDATE webhook_outbox SET attempts = attempts + 1, next_at = ?, lease_until = 0, last_status = ?, last_error = ? WHERE id = ?').bind(at + retryDelay(r.attempts + 1), res.status, res.error, r.id),
            env.DB.prepare('UPDATE webhooks SET last_status = ?, last_error = ?, last_attempt_at = ?, failures = failures + 1 WHERE id = ?').bind(res.status, res.error, at, r.endpoint_id),
          ]);
        }
      }
    }),
  );
  return { delivered, failed };
}

// After a request: deliver at once if any endpoint exists (checked at most every
// 10 s per isolate), one run at a time per isolate.
let known: { at: number; any: boolean } | null = null;
let running: Promise<unknown> | null = null;
let again = false;

export function forgetWebhookCache(): void {
  known = null;
}

export async function deliverSoon(env: Env): Promise<void> {
  const t = now();
  if (!known || t - known.at > 10_000) {
    const row = await env.DB.prepare('SELECT 1 AS one FROM webhooks UNION ALL SELECT 1 FROM share_receipts LIMIT 1').first();
    known = { at: t, any: row !== null };
  }
  if (!known.any) return;
  if (running) {
    again = true; // the run in flight goes round once more
    return;
  }
  running = (async () => {
    do {
      again = false;
      await deliverOutbox(env).catch((e) => console.error('webhook delivery failed', e instanceof Error ? e.message : String(e)));
    } while (again);
  })().finally(() => (running = null));
  await running;
}
