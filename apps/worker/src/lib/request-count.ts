// Counting a share against its file request in the same D1 batch that creates it
// (docs/PROTOCOL.md §6): the INSERT happens only if the request has room, and the
// counters move only if the INSERT happened, so N concurrent creates with k shares
// left give exactly k shares and the byte total never passes max_bytes.

/** SQL condition on the create INSERT; binds ?16 = request id, ?12 = bytes, ?2 = now. */
export const REQUEST_HAS_ROOM = `EXISTS (SELECT 1 FROM requests WHERE id = ?16 AND status = 'open' AND expires_at > ?2
  AND shares_used < max_shares AND bytes_used + ?12 <= max_bytes)`;

/** The counter update that joins the create batch; a no-op unless the share row exists. */
export function countAgainstRequest(db: D1Database, shareId: string, requestId: string, bytes: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE requests SET shares_used = shares_used + 1, bytes_used = bytes_used + ?3
       WHERE id = ?2 AND EXISTS (SELECT 1 FROM shares WHERE id = ?1 AND request_id = ?2)`,
    )
    .bind(shareId, requestId, bytes);
}
