-- Placeholder so migrations apply cleanly; replaced by the full schema.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
