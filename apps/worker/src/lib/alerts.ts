// Alerts as events: thresholds checked over the access log by each sweep, each
// crossing written as one 'alert' log row (so it is sealed into the chain and
// goes to every webhook that wants 'alert'). One alert per kind and share per
// window: a burst that goes on is not re-announced every 5 minutes.
import type { Env } from '../env.ts';

const MIN = 60_000;

export interface AlertThresholds {
  /** Wrong passwords on one share within 10 minutes. */
  wrongPasswords: number;
  /** Distinct countries, and distinct addresses, downloading one share within an hour (more than K). */
  shareCountries: number;
  shareAddresses: number;
  /** Downloads across the server within 10 minutes. */
  downloadSpike: number;
  /** Refused admin sign-ins within 10 minutes. */
  adminFailures: number;
}

function n(v: string | undefined, def: number): number {
  return v !== undefined && /^[0-9]{1,9}$/.test(v.trim()) ? Number(v.trim()) : def;
}

export function alertThresholds(env: Env): AlertThresholds {
  return {
    wrongPasswords: n(env.ALERT_WRONG_PASSWORDS, 10),
    shareCountries: n(env.ALERT_SHARE_COUNTRIES, 3),
    shareAddresses: n(env.ALERT_SHARE_ADDRESSES, 10),
    downloadSpike: n(env.ALERT_DOWNLOAD_SPIKE, 500),
    adminFailures: n(env.ALERT_ADMIN_FAILURES, 10),
  };
}

interface Candidate {
  kind: string;
  shareId: string | null;
  detail: string;
  window: number;
}

/** Checks every threshold at time t and writes the new alerts; returns them. */
export async function checkAlerts(env: Env, t: number): Promise<Candidate[]> {
  const th = alertThresholds(env);
  const found: Candidate[] = [];
  const db = env.DB;
  if (th.wrongPasswords > 0) {
    const { results } = await db
      .prepare(`SELECT share_id, COUNT(*) AS n FROM access_log WHERE event = 'bad_password' AND at > ? AND share_id IS NOT NULL GROUP BY share_id HAVING n >= ?`)
      .bind(t - 10 * MIN, th.wrongPasswords)
      .all<{ share_id: string; n: number }>();
    for (const r of results) found.push({ kind: 'wrong_passwords', shareId: r.share_id, detail: `wrong_passwords count=${r.n} window=10m threshold=${th.wrongPasswords}`, window: 10 * MIN });
  }
  if (th.shareCountries > 0 || th.shareAddresses > 0) {
    const { results } = await db
      .prepare(
        `SELECT share_id, COUNT(DISTINCT country) AS c, COUNT(DISTINCT ip) AS a FROM access_log
         WHERE event = 'download' AND outcome = 'ok' AND at > ? AND share_id IS NOT NULL GROUP BY share_id`,
      )
      .bind(t - 60 * MIN)
      .all<{ share_id: string; c: number; a: number }>();
    for (const r of results) {
      if (th.shareCountries > 0 && r.c > th.shareCountries) {
        found.push({ kind: 'share_countries', shareId: r.share_id, detail: `share_countries count=${r.c} window=1h threshold=${th.shareCountries}`, window: 60 * MIN });
      }
      if (th.shareAddresses > 0 && r.a > th.shareAddresses) {
        found.push({ kind: 'share_addresses', shareId: r.share_id, detail: `share_addresses count=${r.a} window=1h threshold=${th.shareAddresses}`, window: 60 * MIN });
      }
    }
  }
  const count = async (sql: string) => (await db.prepare(sql).bind(t - 10 * MIN).first<{ n: number }>())!.n;
  if (th.downloadSpike > 0) {
    const c = await count(`SELECT COUNT(*) AS n FROM access_log WHERE event = 'download' AND at > ?`);
    if (c >= th.downloadSpike) found.push({ kind: 'download_spike', shareId: null, detail: `download_spike count=${c} window=10m threshold=${th.downloadSpike}`, window: 10 * MIN });
  }
  if (th.adminFailures > 0) {
    const c = await count(`SELECT COUNT(*) AS n FROM access_log WHERE event = 'admin' AND outcome = 'unauthorized' AND at > ?`);
    if (c >= th.adminFailures) found.push({ kind: 'admin_failures', shareId: null, detail: `admin_failures count=${c} window=10m threshold=${th.adminFailures}`, window: 10 * MIN });
  }
  const fresh: Candidate[] = [];
  for (const a of found) {
    // Written only if no alert of this kind (and share) is already in the window.
    const r = await db
      .prepare(
        `INSERT INTO access_log (share_id, event, at, outcome, detail)
         SELECT ?1, 'alert', ?2, 'ok', ?3 WHERE NOT EXISTS (
           SELECT 1 FROM access_log WHERE event = 'alert' AND at > ?4 AND share_id IS ?1 AND detail LIKE ?5)`,
      )
      .bind(a.shareId, t, a.detail, t - a.window, `${a.kind} %`)
      .run();
    if (r.meta.changes > 0) fresh.push(a);
  }
  return fresh;
}
