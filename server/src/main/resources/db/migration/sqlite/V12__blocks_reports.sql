-- Blocking and reporting (docs/security.md, "Blocking and reports").
-- One row per (blocker, blocked) pair; read per blocker, so the primary key serves every query.
CREATE TABLE blocks (
    blocker_id    TEXT    NOT NULL,
    blocked_id    TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

-- Reports of log entries for the operator, newest first by n. text is the entry's text when reported (edits
-- applied), so a later delete does not erase the evidence; always null for e2ee conversations.
CREATE TABLE reports (
    n               INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id       TEXT    NOT NULL UNIQUE,
    reporter_id     TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    sender_id       TEXT,
    kind            TEXT    NOT NULL,
    text            TEXT,
    reason          TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL
);
