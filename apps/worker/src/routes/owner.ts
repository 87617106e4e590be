// GET /api/shares/:id/owner: the sender's view of their share, with its own log.
import type { OwnerStatusResponse } from '@sealdrop/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { checkOwner, requireCredential } from '../middleware/auth.ts';
import { Fail } from '../lib/errors.ts';
import { toLogRow, type LogDbRow } from '../lib/log.ts';
import { shareIdParam } from '../lib/params.ts';
import { loadShare, wireStatus } from '../lib/shares.ts';
import { isoOrNull, now } from '../lib/time.ts';

const OWNER_LOG_ROWS = 500;

export const ownerRoutes = new Hono<AppEnv>().get('/api/shares/:id/owner', async (c) => {
  const id = shareIdParam(c.req.param('id'));
  const token = requireCredential(c, 'Owner');
  const s = await loadShare(c.env, id);
  if (!s) throw new Fail('not_found', 'no such share');
  if (!(await checkOwner(token, s))) throw new Fail('forbidden', 'this owner token does not belong to this share');
  // The owner sees what happened to the share, not what admins looked at, and never
  // who reported it (a reporter's address, agent or timing would name them): admins only.
  const { results } = await c.env.DB.prepare(
    `SELECT * FROM access_log WHERE share_id = ? AND event NOT IN ('admin', 'report') ORDER BY id DESC LIMIT ${OWNER_LOG_ROWS}`,
  )
    .bind(id)
    .all<LogDbRow>();
  const res: OwnerStatusResponse = {
    status: wireStatus(s, now()),
    expiresAt: isoOrNull(s.expires_at),
    maxDownloads: s.max_downloads,
    downloadsUsed: s.downloads_used,
    wrongPasswords: s.wrong_passwords,
    log: results.map(toLogRow),
  };
  return c.json(res);
});
