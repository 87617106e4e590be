-- Who holds a share's reserved bytes, for the per-client quota: 'ip:' and a keyed
-- MAC of the creator's address (IPv6 by /64; never the address itself), or
-- 'token:' and the upload token id. NULL for shares made before this migration.
ALTER TABLE shares ADD COLUMN quota_key TEXT;
CREATE INDEX shares_quota_key ON shares (quota_key, quota_released);
