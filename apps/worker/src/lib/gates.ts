// The partner and place checks of a file request, in one D1 read: the share's
// countries and networks, and whether the partner token its grant was issued to
// is still live and still carries the share's label. Exported separately so the
// streaming re-check of a running download can ask the same question.
import { PARTNER_ERROR_MESSAGES } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';
import { writeLog, type LogContext } from './log.ts';
import { checkPlace } from './places.ts';
import { now } from './time.ts';

interface GateRow {
  countries: string | null;
  networks: string | null;
  pid: string | null;
  live: number | null;
}

async function gateRow(env: Env, id: string, gid: string): Promise<GateRow | null> {
  return env.DB.prepare(
    `SELECT s.countries, s.networks, g.partner_token_id AS pid,
       (SELECT 1 FROM download_tokens d
        WHERE d.id = g.partner_token_id AND d.revoked_at IS NULL AND d.expires_at > ?3
          AND EXISTS (SELECT 1 FROM json_each(d.labels) WHERE json_each.value = s.require_label)) AS live
     FROM shares s JOIN grants g ON g.gid = ?2 AND g.share_id = s.id WHERE s.id = ?1`,
  )
    .bind(id, gid, now())
    .first<GateRow>();
}

/** Whether the grant's partner token (if it has one) still opens the share. */
export async function partnerGrantLive(env: Env, id: string, gid: string): Promise<boolean> {
  const row = await gateRow(env, id, gid);
  return row !== null && (row.pid === null || row.live === 1);
}

/** Refuses a file request whose partner token was revoked, or that comes from outside the share's places. */
export async function checkFileGates(ctx: LogContext, id: string, gid: string, what: string): Promise<void> {
  const row = await gateRow(ctx.env, id, gid);
  if (!row) return; // the caller has already refused unknown grants
  if (row.pid !== null && row.live !== 1) {
    await writeLog(ctx, { shareId: id, event: 'partner_refused', outcome: 'partner_token_refused', detail: what, tokenId: row.pid });
    throw new Fail('partner_token_refused', PARTNER_ERROR_MESSAGES.partner_token_refused);
  }
  await checkPlace(ctx, id, row, what);
}
