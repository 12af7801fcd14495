-- Parley schema, SQLite dialect. Keep it the same shape as db/migration/postgres.
-- Times are epoch milliseconds; booleans are 0/1; JSON columns are text.

CREATE TABLE users (
    user_id       TEXT    NOT NULL PRIMARY KEY,
    handle        TEXT    NOT NULL,
    handle_key    TEXT    NOT NULL UNIQUE,
    display_name  TEXT,
    password_hash TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE devices (
    device_id     TEXT    NOT NULL PRIMARY KEY,
    user_id       TEXT    NOT NULL REFERENCES users (user_id),
    name          TEXT,
    token_hash    BLOB    NOT NULL UNIQUE,
    revoked       INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX devices_user_id ON devices (user_id);

-- The global change version: bumped once per write transaction that changes a conversation.
CREATE TABLE counters (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('version', 0);

CREATE TABLE conversations (
    id              TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    title           TEXT,
    e2ee            INTEGER NOT NULL DEFAULT 0,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT,
    direct_key      TEXT UNIQUE,
    created_at_ms   INTEGER NOT NULL,
    updated_version INTEGER NOT NULL
);

-- ordinal keeps the join order of members within a conversation.
CREATE TABLE members (
    conversation_id TEXT    NOT NULL REFERENCES conversations (id),
    user_id         TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    ordinal         INTEGER NOT NULL,
    delivered_seq   INTEGER NOT NULL DEFAULT 0,
    read_seq        INTEGER NOT NULL DEFAULT 0,
    joined_seq      INTEGER NOT NULL DEFAULT 0,
    updated_version INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_user_id ON members (user_id);

CREATE TABLE member_removals (
    conversation_id TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX member_removals_user_id ON member_removals (user_id, version);

CREATE TABLE entries (
    conversation_id  TEXT    NOT NULL,
    seq              INTEGER NOT NULL,
    message_id       TEXT    NOT NULL,
    sender_id        TEXT,
    sender_device_id TEXT,
    client_msg_id    TEXT,
    kind             TEXT    NOT NULL,
    body             TEXT,
    target           INTEGER,
    emoji            TEXT,
    reaction_on      INTEGER,
    reply_to         INTEGER,
    thread_root      INTEGER,
    attachments      TEXT,
    system           TEXT,
    deleted          INTEGER NOT NULL DEFAULT 0,
    created_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX entries_idempotency ON entries (conversation_id, sender_device_id, client_msg_id);
CREATE INDEX entries_target ON entries (conversation_id, target);
