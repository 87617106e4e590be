-- A part's `sends` now counts the times it was stored, not the times a send
-- began: an interrupted send (a killed stack or client) spent the budget and,
-- after a few of them, locked the upload for good. A send in flight holds one of
-- `inflight` slots; the slots free themselves at `inflight_until` (Unix ms) when
-- the request that took them died with its process.
ALTER TABLE parts ADD COLUMN inflight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parts ADD COLUMN inflight_until INTEGER NOT NULL DEFAULT 0;
-- Existing rows: what was stored counts once, what never was counts nothing (unlocks stuck parts).
UPDATE parts SET sends = CASE WHEN etag IS NULL THEN 0 ELSE 1 END;
-- Where the sweep's walk over stored objects stopped (it looks for objects no share points to).
CREATE TABLE sweep_cursor (name TEXT PRIMARY KEY, cursor TEXT);
