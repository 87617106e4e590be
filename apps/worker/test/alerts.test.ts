// Alert thresholds over the real access log: each crossing becomes one 'alert'
// row (sealed into the chain, queued for webhooks), once per window.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { checkAlerts } from '../src/lib/alerts.ts';

const MIN = 60_000;
const SHARE = 'AlertShareAAAAAAAAAAAA';

async function rows(event: string, n: number, t: number, o: { share?: string | null; ip?: (i: number) => string; country?: (i: number) => string; outcome?: string } = {}) {
  const stmts = Array.from({ length: n }, (_, i) =>
    env.DB.prepare('INSERT INTO access_log (share_id, event, at, ip, country, outcome) VALUES (?, ?, ?, ?, ?, ?)').bind(
      o.share === undefined ? SHARE : o.share,
      event,
      t - i * 1000,
      o.ip?.(i) ?? '192.0.2.1',
      o.country?.(i) ?? 'DE',
      o.outcome ?? 'ok',
    ),
  );
  await env.DB.batch(stmts);
}

const alerts = async () =>
  (await env.DB.prepare(`SELECT share_id, detail FROM access_log WHERE event = 'alert' ORDER BY id`).all<{ share_id: string | null; detail: string }>()).results;

describe('alerts', () => {
  it('a burst of wrong passwords on one share: at the threshold, once per window', async () => {
    const t = Date.now();
    const e = { ...env, ALERT_WRONG_PASSWORDS: '5' };
    await rows('bad_password', 4, t, { outcome: 'forbidden' });
    expect(await checkAlerts(e, t)).toEqual([]);
    await rows('bad_password', 1, t, { outcome: 'forbidden' });
    expect((await checkAlerts(e, t)).map((a) => a.kind)).toEqual(['wrong_passwords']);
    await rows('bad_password', 3, t, { outcome: 'forbidden' });
    expect(await checkAlerts(e, t + MIN)).toEqual([]); // still the same burst
    expect((await alerts()).filter((a) => a.detail.startsWith('wrong_passwords'))).toEqual([
      { share_id: SHARE, detail: 'wrong_passwords count=5 window=10m threshold=5' },
    ]);
  });

  it('downloads of one share from more than K countries or addresses, a server-wide spike, failed admin sign-ins', async () => {
    const t = Date.now();
    const e = { ...env, ALERT_SHARE_COUNTRIES: '2', ALERT_SHARE_ADDRESSES: '3', ALERT_DOWNLOAD_SPIKE: '6', ALERT_ADMIN_FAILURES: '4', ALERT_WRONG_PASSWORDS: '0' };
    const countries = ['DE', 'FR', 'US', 'BR'];
    await rows('download', 4, t, { share: 'AlertShareBBBBBBBBBBBB', ip: (i) => `198.51.100.${i}`, country: (i) => countries[i] });
    await rows('download', 2, t, { share: 'AlertShareCCCCCCCCCCCC' });
    await rows('admin', 4, t, { share: null, outcome: 'unauthorized' });
    const got = (await checkAlerts(e, t)).map((a) => `${a.kind} ${a.shareId ?? '-'}`).sort();
    expect(got).toEqual(['admin_failures -', 'download_spike -', 'share_addresses AlertShareBBBBBBBBBBBB', 'share_countries AlertShareBBBBBBBBBBBB']);
    // Thresholds of 0 turn alerts off.
    const off = { ...env, ALERT_SHARE_COUNTRIES: '0', ALERT_SHARE_ADDRESSES: '0', ALERT_DOWNLOAD_SPIKE: '0', ALERT_ADMIN_FAILURES: '0', ALERT_WRONG_PASSWORDS: '0' };
    expect(await checkAlerts(off, t + 30 * MIN)).toEqual([]);
  });

  it('go to webhooks that want them', async () => {
    await env.DB.prepare(`INSERT INTO webhooks (id, url, events, format, created_at) VALUES ('alerthookAAA', 'http://127.0.0.1:9/', '["alert"]', 'json', 0)`).run();
    const t = Date.now() + 3600_000;
    await rows('admin', 4, t, { share: null, outcome: 'unauthorized' });
    await checkAlerts({ ...env, ALERT_ADMIN_FAILURES: '4' }, t);
    const queued = await env.DB.prepare(`SELECT event, json_extract(payload, '$.detail') AS detail FROM webhook_outbox WHERE endpoint_id = 'alerthookAAA'`).all();
    expect(queued.results).toEqual([{ event: 'alert', detail: 'admin_failures count=4 window=10m threshold=4' }]);
    await env.DB.prepare(`DELETE FROM webhooks WHERE id = 'alerthookAAA'`).run();
  });
});
