-- Incident response (README "Incident response"): advisories on revoked shares,
-- token hygiene, the freeze switch, and scoped revocation by token.

-- A short plain-text message recipients see instead of the generic "withdrawn".
ALTER TABLE shares ADD COLUMN advisory TEXT;
-- When a minted token last authenticated (updated at most once a minute).
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
-- Revoke by token or token label, and the per-token share count.
CREATE INDEX shares_token ON shares (token_id);

-- At most one row: while it exists no share is created and no grant issued.
CREATE TABLE freeze (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  reason TEXT NOT NULL,
  since INTEGER NOT NULL,
  by TEXT NOT NULL
);
