-- Published SHA-256s (README "Publishing file hashes"): only for a share whose sender
-- opted in with publishSha256 at create. NULL: nothing published (the default, zero
-- knowledge); '[]' between such a create and its finalize; then a JSON array with one
-- lower-case hex SHA-256 per file, in file order, as finalize received it.
ALTER TABLE shares ADD COLUMN sha256s TEXT;
