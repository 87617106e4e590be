-- Partner access (README "Partner tokens"): labels on tokens and shares, download
-- tokens for external parties, shares that need one, place and network rules.
-- Labels, countries and networks are JSON arrays of strings (validated by the worker).

ALTER TABLE api_tokens ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';
ALTER TABLE shares ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';
-- A label the recipient's download token must carry (NULL: the link alone opens it).
ALTER TABLE shares ADD COLUMN require_label TEXT;
ALTER TABLE shares ADD COLUMN countries TEXT;  -- NULL: anywhere
ALTER TABLE shares ADD COLUMN networks TEXT;   -- NULL: any address
-- The download token a grant was issued to: every file request re-checks it.
ALTER TABLE grants ADD COLUMN partner_token_id TEXT;

-- Download-scope tokens live in their own table: api_tokens' scope CHECK cannot be
-- widened without rebuilding it, and a download token must never pass for an upload one.
CREATE TABLE download_tokens (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '[]',
  token_hash TEXT NOT NULL UNIQUE,          -- SHA-256 hex; the token is shown once
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  created_by TEXT,
  last_used_at INTEGER
);
CREATE INDEX shares_require_label ON shares (require_label);
