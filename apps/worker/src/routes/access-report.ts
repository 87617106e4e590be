// GET /api/admin/access-report?label=&format=json|csv: per partner download
// token, the live shares it can open now (ready, unexpired, downloads left, and
// requiring a label the token carries), their expiry, downloads used and the
// token's last access to each. Behind adminAuth like every admin route.
import { accessReportQuery, type AccessReportResponse, type AccessReportToken } from '@sealdrop/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../middleware/auth.ts';
import { describeIssues } from '../middleware/json.ts';
import { csvLine } from '../lib/csv.ts';
import { Fail } from '../lib/errors.ts';
import { hasLabelSql, parseLabels } from '../lib/labels.ts';
import type { DownloadTokenRow } from '../lib/partner.ts';
import { iso, isoOrNull, now } from '../lib/time.ts';

interface ReportRow {
  token_id: string;
  share_id: string;
  expires_at: number;
  max_downloads: number;
  downloads_used: number;
  require_label: string;
  last_at: number | null;
}

const CSV_COLUMNS = ['tokenId', 'tokenLabel', 'tokenLabels', 'tokenExpiresAt', 'shareId', 'requireLabel', 'expiresAt', 'downloadsUsed', 'maxDownloads', 'lastAccessAt'];

export async function accessReport(env: AppEnv['Bindings'], label: string | null, t = now()): Promise<AccessReportResponse> {
  const lf = label ? ` AND ${hasLabelSql('d.labels', '?2')}` : '';
  const args = label ? [t, label] : [t];
  const [tokens, rows] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare(
      `SELECT * FROM download_tokens d WHERE d.revoked_at IS NULL AND d.expires_at > ?1${lf} ORDER BY d.label, d.id`,
    ).bind(...args),
    env.DB.prepare(
      `SELECT d.id AS token_id, s.id AS share_id, s.expires_at, s.max_downloads, s.downloads_used, s.require_label,
         (SELECT MAX(l.at) FROM access_log l WHERE l.share_id = s.id AND l.token_id = d.id) AS last_at
       FROM download_tokens d JOIN shares s ON ${hasLabelSql('d.labels', 's.require_label')}
       WHERE d.revoked_at IS NULL AND d.expires_at > ?1${lf}
         AND s.status = 'ready' AND s.purged_at IS NULL AND s.expires_at > ?1 AND s.downloads_used < s.max_downloads
       ORDER BY s.expires_at, s.id`,
    ).bind(...args),
  ]);
  const byToken = new Map<string, AccessReportToken>();
  for (const d of tokens.results as unknown as DownloadTokenRow[]) {
    byToken.set(d.id, {
      id: d.id,
      label: d.label,
      labels: parseLabels(d.labels),
      expiresAt: iso(d.expires_at),
      lastUsedAt: isoOrNull(d.last_used_at),
      shares: [],
    });
  }
  for (const r of rows.results as unknown as ReportRow[]) {
    byToken.get(r.token_id)?.shares.push({
      id: r.share_id,
      expiresAt: iso(r.expires_at),
      maxDownloads: r.max_downloads,
      downloadsUsed: r.downloads_used,
      requireLabel: r.require_label,
      lastAccessAt: isoOrNull(r.last_at),
    });
  }
  return { generatedAt: iso(t), label, tokens: [...byToken.values()] };
}

export const accessReportRoutes = new Hono<AppEnv>()
  .use('/api/admin/access-report', adminAuth)
  .get('/api/admin/access-report', async (c) => {
    const q = accessReportQuery.safeParse(c.req.query());
    if (!q.success) throw new Fail('bad_request', describeIssues(q.error));
    const report = await accessReport(c.env, q.data.label ?? null);
    if ((q.data.format ?? 'json') === 'json') return c.json(report);
    let csv = csvLine(CSV_COLUMNS);
    for (const tok of report.tokens) {
      const head = [tok.id, tok.label, tok.labels.join(' '), tok.expiresAt];
      if (!tok.shares.length) csv += csvLine([...head, '', '', '', '', '', '']);
      for (const s of tok.shares) csv += csvLine([...head, s.id, s.requireLabel, s.expiresAt, s.downloadsUsed, s.maxDownloads, s.lastAccessAt]);
    }
    const stamp = report.generatedAt.slice(0, 19).replace(/[:T]/g, '-');
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="sealdrop-access-report-${stamp}.csv"`,
    });
  });
