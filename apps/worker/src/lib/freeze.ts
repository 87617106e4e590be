// The freeze switch (README "Incident response"): while the single freeze row
// exists, POST /api/shares and POST /api/shares/:id/download answer 503 frozen
// with the admin's reason; nothing is revoked, running downloads go on.
import type { FreezeState } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';
import { iso } from './time.ts';

export async function getFreeze(env: Env): Promise<FreezeState | null> {
  const row = await env.DB.prepare('SELECT reason, since FROM freeze WHERE id = 1').first<{ reason: string; since: number }>();
  return row ? { reason: row.reason, since: iso(row.since) } : null;
}

/** 503 frozen (with the reason) while the server is frozen. */
export async function assertNotFrozen(env: Env, what: 'shares' | 'downloads'): Promise<void> {
  const f = await getFreeze(env);
  if (f) throw new Fail('frozen', `Sealdrop is not accepting new ${what} right now: ${f.reason}`);
}

export async function setFreeze(env: Env, reason: string, by: string, t: number): Promise<FreezeState> {
  // A second freeze keeps the first one's time and author, and updates the reason.
  const row = await env.DB.prepare(
    `INSERT INTO freeze (id, reason, since, by) VALUES (1, ?1, ?2, ?3)
     ON CONFLICT (id) DO UPDATE SET reason = ?1 RETURNING reason, since`,
  )
    .bind(reason, t, by)
    .first<{ reason: string; since: number }>();
  return { reason: row!.reason, since: iso(row!.since) };
}

/** True if a freeze was lifted. */
export async function clearFreeze(env: Env): Promise<boolean> {
  const r = await env.DB.prepare('DELETE FROM freeze WHERE id = 1').run();
  return r.meta.changes > 0;
}
