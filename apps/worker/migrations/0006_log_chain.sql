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

-- Webhook endpoints (lib/webhooks.ts). The signing secret is not stored: it is
-- derived from SERVER_SECRET and the endpoint id, and shown once at creation.
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT NOT NULL,                     -- JSON array of event names; ["*"] for all
  labels TEXT,                              -- reserved: a label filter (JSON array), NULL for none
  format TEXT NOT NULL CHECK (format IN ('json', 'slack', 'ocsf')),
  created_at INTEGER NOT NULL,
  created_by TEXT,
  last_status INTEGER,                      -- HTTP status of the last attempt (0: no answer)
  last_error TEXT,
  last_attempt_at INTEGER,
  last_success_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0       -- consecutive failed attempts
);

-- The outbox: one row per (endpoint, event), written by the trigger below in the
-- same transaction as the access-log row (or by the seal, for checkpoints), so
-- nothing is lost while an endpoint or the worker is down.
CREATE TABLE webhook_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id TEXT NOT NULL,
  share_id TEXT,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,                    -- JSON of the event (the log row, or the checkpoint)
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,   -- a deliverer's claim (two never send one row at once)
  delivered_at INTEGER,
  last_status INTEGER,
  last_error TEXT
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (endpoint_id, share_id, id) WHERE delivered_at IS NULL;
CREATE INDEX webhook_outbox_endpoint ON webhook_outbox (endpoint_id, id);

CREATE TRIGGER access_log_outbox AFTER INSERT ON access_log
WHEN EXISTS (SELECT 1 FROM webhooks)
BEGIN
  INSERT INTO webhook_outbox (endpoint_id, share_id, event, payload, created_at, next_at)
  SELECT w.id, NEW.share_id, NEW.event,
         json_object('logId', NEW.id, 'event', NEW.event, 'at', NEW.at, 'shareId', NEW.share_id, 'ip', NEW.ip,
                     'country', NEW.country, 'userAgent', NEW.user_agent, 'outcome', NEW.outcome,
                     'detail', NEW.detail, 'tokenId', NEW.token_id),
         NEW.at, NEW.at
  FROM webhooks w
  WHERE EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value IN ('*', NEW.event));
END;

-- Owner receipts (routes/receipts.ts): a sender asked to be told about their own
-- share. Delivered through the outbox as endpoint 'receipt:<share id>', signed
-- with a per-share secret derived from SERVER_SECRET (returned once).
CREATE TABLE share_receipts (
  share_id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TRIGGER access_log_receipt AFTER INSERT ON access_log
WHEN NEW.share_id IS NOT NULL
  AND NEW.event IN ('manifest', 'download', 'bad_password', 'rate_limited', 'revoke', 'sweep_delete', 'alert')
  AND EXISTS (SELECT 1 FROM share_receipts r WHERE r.share_id = NEW.share_id)
BEGIN
  INSERT INTO webhook_outbox (endpoint_id, share_id, event, payload, created_at, next_at)
  VALUES ('receipt:' || NEW.share_id, NEW.share_id, NEW.event,
          json_object('logId', NEW.id, 'event', NEW.event, 'at', NEW.at, 'shareId', NEW.share_id, 'ip', NEW.ip,
                      'country', NEW.country, 'userAgent', NEW.user_agent, 'outcome', NEW.outcome,
                      'detail', NEW.detail, 'tokenId', NULL),
          NEW.at, NEW.at);
END;
