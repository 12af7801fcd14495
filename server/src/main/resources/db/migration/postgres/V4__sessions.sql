-- Sessions expire when idle: each device remembers when it was last used (epoch ms, written at most about
-- once an hour per device). Existing devices count as used when they were created.
-- Keep it the same shape as db/migration/sqlite/V3__sessions.sql.
ALTER TABLE devices ADD COLUMN last_used_at_ms BIGINT NOT NULL DEFAULT 0;
UPDATE devices SET last_used_at_ms = created_at_ms;
