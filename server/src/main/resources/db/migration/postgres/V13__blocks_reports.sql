-- Blocking and reporting. Keep it the same shape as db/migration/sqlite/V12__blocks_reports.sql, which
-- explains each table.
CREATE TABLE blocks (
    blocker_id    TEXT   NOT NULL,
    blocked_id    TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE TABLE reports (
    n               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id       TEXT   NOT NULL UNIQUE,
    reporter_id     TEXT   NOT NULL,
    conversation_id TEXT   NOT NULL,
    seq             BIGINT NOT NULL,
    sender_id       TEXT,
    kind            TEXT   NOT NULL,
    text            TEXT,
    reason          TEXT   NOT NULL,
    created_at_ms   BIGINT NOT NULL
);
