-- Sessions expire when idle: each device remembers when it was last used (epoch ms, written at most about
-- once an hour per device). Existing devices count as used when they were created.
ALTER TABLE devices ADD COLUMN last_used_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET last_used_at_ms = created_at_ms;
