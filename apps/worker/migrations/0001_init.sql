-- Sealdrop schema v1 (DESIGN.md "Storage and server state").
-- Times are integer milliseconds since the Unix epoch (UTC). Nothing here is a
-- secret: tokens are stored as SHA-256 hex, keys as public keys, content only as
-- ciphertext in R2 (shares/<id>/<index>, shares/<id>/manifest).

CREATE TABLE shares (
  id TEXT PRIMARY KEY,
  -- uploading -> ready (finalize) | revoked (owner, admin) | abandoned (not finalized in 24 h).
  -- expired and exhausted are derived from expires_at and the download counter.
  status TEXT NOT NULL CHECK (status IN ('uploading', 'ready', 'revoked', 'abandoned')),
  created_at INTEGER NOT NULL,
  expires_in INTEGER NOT NULL,              -- seconds, counted from finalize
  expires_at INTEGER,                       -- set by finalize
  finalized_at INTEGER,
  revoked_at INTEGER,
  revoked_by TEXT,                          -- 'owner', 'bootstrap' or an api_tokens id
  purged_at INTEGER,                        -- objects deleted and keys wiped
  max_downloads INTEGER NOT NULL CHECK (max_downloads > 0),
  downloads_used INTEGER NOT NULL DEFAULT 0,
  last_grant_expires_at INTEGER NOT NULL DEFAULT 0,
  link_pub TEXT UNIQUE,                     -- b64u Ed25519 public keys; wiped by the sweep
  auth_pub TEXT UNIQUE,
  pw_salt TEXT,
  kdf TEXT,                                 -- JSON of the KDF the sender ran
  has_password INTEGER NOT NULL DEFAULT 0,
  owner_hash TEXT NOT NULL,                 -- SHA-256 hex of the owner token
  token_id TEXT,                            -- the upload token that created it
  bytes INTEGER NOT NULL,                   -- declared ciphertext bytes (reserved quota)
  file_count INTEGER NOT NULL,
  part_bytes INTEGER NOT NULL,              -- PART_BYTES when created (a later config change does not move parts)
  manifest_hash TEXT,                       -- SHA-256 hex of the manifest ciphertext
  wrong_passwords INTEGER NOT NULL DEFAULT 0,
  wp_hour INTEGER NOT NULL DEFAULT 0,       -- wrong-password budget: current hour bucket
  wp_hour_count INTEGER NOT NULL DEFAULT 0,
  wp_day INTEGER NOT NULL DEFAULT 0,        -- and current day bucket
  wp_day_count INTEGER NOT NULL DEFAULT 0,
  quota_released INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX shares_created ON shares (created_at DESC, id DESC);
CREATE INDEX shares_status ON shares (status, purged_at);

CREATE TABLE files (
  share_id TEXT NOT NULL REFERENCES shares (id),
  idx INTEGER NOT NULL,
  size INTEGER NOT NULL,                    -- ciphertext bytes
  upload_id TEXT,                           -- R2 multipart upload (files of more than one part)
  completed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (share_id, idx)
) WITHOUT ROWID;

CREATE TABLE parts (
  share_id TEXT NOT NULL,
  file_idx INTEGER NOT NULL,
  n INTEGER NOT NULL,
  etag TEXT,                                -- NULL while a send is in flight
  sends INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (share_id, file_idx, n)
) WITHOUT ROWID;

CREATE TABLE grants (
  gid TEXT PRIMARY KEY,
  share_id TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX grants_share ON grants (share_id);
CREATE INDEX grants_expiry ON grants (expires_at);

-- Challenges spent by /download (a replayed body cannot take a second download).
CREATE TABLE used_challenges (
  nonce TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX used_challenges_expiry ON used_challenges (expires_at);

-- Wrong-password back-off per share and client (client = keyed MAC of the IPv4
-- address or IPv6 /64, never the address itself).
CREATE TABLE backoff (
  share_id TEXT NOT NULL,
  client TEXT NOT NULL,
  failures INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (share_id, client)
) WITHOUT ROWID;

CREATE TABLE access_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  share_id TEXT,
  event TEXT NOT NULL,
  at INTEGER NOT NULL,
  ip TEXT,
  country TEXT,
  user_agent TEXT,
  outcome TEXT,
  detail TEXT,
  token_id TEXT
);
CREATE INDEX access_log_share ON access_log (share_id, id);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_event ON access_log (event, at);

CREATE TABLE reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  share_id TEXT NOT NULL REFERENCES shares (id),
  at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  ip TEXT
);
CREATE INDEX reports_share ON reports (share_id);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('upload', 'admin')),
  token_hash TEXT NOT NULL UNIQUE,          -- SHA-256 hex; the token is shown once
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  created_by TEXT
);

-- The global byte reservation (DESIGN.md "Quotas"): taken at create, released by purge.
CREATE TABLE quota (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  reserved INTEGER NOT NULL
);
INSERT INTO quota (id, reserved) VALUES (1, 0);
