-- The tamper-evident access log (docs/LOG.md). The cron sweep seals rows into a
-- hash chain: seq is a row's place in the chain, hash its h_seq (hex). Rows are
-- written unsealed (seq NULL), so the hot path's INSERT is unchanged; the partial
-- index holds sealed rows only and costs an insert nothing.
ALTER TABLE access_log ADD COLUMN seq INTEGER;
ALTER TABLE access_log ADD COLUMN hash TEXT;
CREATE INDEX access_log_seq ON access_log (seq) WHERE seq IS NOT NULL;

-- Signed checkpoints, never deleted (retention drops rows, not these).
-- n, first_seq .. retained, sig: the signed checkpoint of docs/LOG.md.
-- last_id: the access_log id sealed last, where the next seal starts (not signed).
CREATE TABLE log_checkpoints (
  n INTEGER PRIMARY KEY,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  count INTEGER NOT NULL,
  head TEXT NOT NULL,
  prev TEXT NOT NULL,
  at INTEGER NOT NULL,
  retained INTEGER NOT NULL,
  sig TEXT NOT NULL,
  last_id INTEGER NOT NULL
);
