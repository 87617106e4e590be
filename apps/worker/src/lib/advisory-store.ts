// Attaching an advisory to a revoked share (admin or owner). Only revoked shares
// carry one: recipients read it where they would read "withdrawn".
import { Fail } from './errors.ts';
import { cleanNote } from './advisory.ts';
import { writeLog, type LogContext } from './log.ts';

/** Sets (or with null clears) the advisory; `by` is 'owner' or an admin identity. The stored text is returned. */
export async function setAdvisory(ctx: LogContext, id: string, text: string | null, by: string): Promise<string | null> {
  const advisory = text === null ? null : cleanNote(text, 'advisory');
  const row = await ctx.env.DB.prepare(`UPDATE shares SET advisory = ?1 WHERE id = ?2 AND status = 'revoked' RETURNING id`)
    .bind(advisory, id)
    .first();
  if (!row) {
    const s = await ctx.env.DB.prepare('SELECT status FROM shares WHERE id = ?').bind(id).first<{ status: string }>();
    if (!s || s.status === 'abandoned') throw new Fail('not_found', 'no such share');
    throw new Fail('conflict', 'only a revoked share carries an advisory: revoke it first');
  }
  await writeLog(ctx, {
    shareId: id,
    event: 'revoke',
    detail: advisory === null ? `advisory cleared by ${by}` : `advisory set by ${by}`,
    tokenId: by === 'owner' ? null : by,
  });
  return advisory;
}
