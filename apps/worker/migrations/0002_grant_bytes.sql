-- Bytes each grant has served, capped at GRANT_BYTES_FACTOR x the share's bytes
-- (a one-time link cannot be turned into a CDN).
ALTER TABLE grants ADD COLUMN bytes_served INTEGER NOT NULL DEFAULT 0;
