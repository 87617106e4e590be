// Objects no share points to: a part or file stored by a request that lost a
// race with a purge, or left by a share whose row is gone. The sweep walks the
// bucket a page per run (the cursor is kept in D1, so every object is visited
// over time) and deletes objects whose share is unknown or already purged.
import type { Env } from '../env.ts';

const PAGE = 500;

export async function sweepOrphans(env: Env): Promise<number> {
  const saved = await env.DB.prepare(`SELECT cursor FROM sweep_cursor WHERE name = 'orphans'`).first<{ cursor: string | null }>();
  const page = await env.BUCKET.list({ prefix: 'shares/', limit: PAGE, cursor: saved?.cursor ?? undefined });
  const ids = [...new Set(page.objects.map((o) => o.key.split('/')[1]).filter(Boolean))];
  let deleted = 0;
  if (ids.length) {
    const { results } = await env.DB.prepare(
      `SELECT id FROM shares WHERE purged_at IS NULL AND id IN (${ids.map(() => '?').join(',')})`,
    )
      .bind(...ids)
      .all<{ id: string }>();
    const live = new Set(results.map((r) => r.id));
    const orphans = page.objects.map((o) => o.key).filter((k) => !live.has(k.split('/')[1]));
    if (orphans.length) {
      await env.BUCKET.delete(orphans);
      deleted = orphans.length;
    }
  }
  const next = page.truncated ? page.cursor : null;
  await env.DB.prepare(
    `INSERT INTO sweep_cursor (name, cursor) VALUES ('orphans', ?1) ON CONFLICT (name) DO UPDATE SET cursor = ?1`,
  )
    .bind(next)
    .run();
  return deleted;
}
