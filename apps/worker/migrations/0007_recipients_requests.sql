-- v1.1 (docs/PROTOCOL.md §6): shares sealed to recipient keys, and file requests.
-- Stanzas and the request's recipient are public-key material: nothing here opens a share.

-- JSON array of X-Wing stanzas exactly as finalize received them, or NULL (link-secret share).
ALTER TABLE shares ADD COLUMN recipients TEXT;
-- The file request a share was sent to (counted against it at create), or NULL.
ALTER TABLE shares ADD COLUMN request_id TEXT;
CREATE INDEX shares_request ON shares (request_id, created_at DESC);

CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  -- open -> revoked (closed by its owner or an admin); expired and exhausted are derived.
  status TEXT NOT NULL CHECK (status IN ('open', 'revoked')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  recipient TEXT NOT NULL,                  -- sealdrop-pq1:... (public)
  fingerprint TEXT NOT NULL,                -- b64u SHA-256 of the public key
  max_shares INTEGER NOT NULL CHECK (max_shares BETWEEN 1 AND 100),
  shares_used INTEGER NOT NULL DEFAULT 0,
  max_bytes INTEGER NOT NULL CHECK (max_bytes > 0),
  bytes_used INTEGER NOT NULL DEFAULT 0,    -- declared ciphertext bytes of its shares
  owner_hash TEXT NOT NULL,                 -- SHA-256 hex of the request owner token
  token_id TEXT,                            -- the upload token that created it
  revoked_at INTEGER,
  revoked_by TEXT
);
CREATE INDEX requests_created ON requests (created_at DESC, id DESC);
