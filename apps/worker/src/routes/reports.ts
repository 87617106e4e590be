// POST /api/shares/:id/report: anyone may report a share; rate-limited per IP,
// capped per share, reasons cleaned (controls stripped, link secrets redacted).
import { MAX_REPORT_CHARS, reportRequest } from '@sealdrop/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { json } from '../middleware/json.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { Fail } from '../lib/errors.ts';
import { logIp, logStatement } from '../lib/log.ts';
import { shareIdParam } from '../lib/params.ts';
import { clean, redactSecrets } from '../lib/text.ts';
import { now } from '../lib/time.ts';

export const MAX_REPORTS_PER_SHARE = 100;

export const reportRoutes = new Hono<AppEnv>().post(
  '/api/shares/:id/report',
  rateLimit('RL_REPORT'),
  json(reportRequest, 32 * 1024),
  async (c) => {
    const id = shareIdParam(c.req.param('id'));
    const reason = clean(redactSecrets(c.req.valid('json').reason), MAX_REPORT_CHARS)!.trim();
    if (!reason) throw new Fail('bad_request', 'reason: say what is wrong with this share');
    const share = await c.env.DB.prepare('SELECT status, (SELECT COUNT(*) FROM reports WHERE share_id = ?1) AS n FROM shares WHERE id = ?1')
      .bind(id)
      .first<{ status: string; n: number }>();
    if (!share || share.status === 'uploading' || share.status === 'abandoned') throw new Fail('not_found', 'no such share');
    if (share.n >= MAX_REPORTS_PER_SHARE) throw new Fail('rate_limited', 'this share has been reported many times already', 3600);
    const t = now();
    await c.env.DB.batch([
      c.env.DB.prepare('INSERT INTO reports (share_id, at, reason, ip) VALUES (?, ?, ?, ?)').bind(id, t, reason, logIp(c.env, c.var.ip)),
      logStatement({ env: c.env, req: c.req.raw, ip: c.var.ip }, { shareId: id, event: 'report' }, t),
    ]);
    return c.json({ ok: true }, 202);
  },
);
