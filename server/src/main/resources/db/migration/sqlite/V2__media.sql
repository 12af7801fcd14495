-- Media catalog, SQLite dialect. Keep it the same shape as db/migration/postgres/V2__media.sql.
-- Bytes live in the blob store (content-addressed: storage_key = 'sha256/<hex>'); these rows say who
-- uploaded what, where it was posted (which decides who may fetch it) and which keys sign media links.

CREATE TABLE media (
    media_id        TEXT    NOT NULL PRIMARY KEY,
    owner_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    mime            TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT    NOT NULL,
    original_sha256 TEXT    NOT NULL,
    storage_key     TEXT    NOT NULL,
    width           INTEGER,
    height          INTEGER,
    duration_ms     INTEGER,
    thumb_key       TEXT,
    thumb_mime      TEXT,
    thumb_size      INTEGER,
    thumb_width     INTEGER,
    thumb_height    INTEGER,
    filename        TEXT,
    created_at_ms   INTEGER NOT NULL
);
CREATE INDEX media_owner_original ON media (owner_id, original_sha256);

CREATE TABLE media_posts (
    media_id        TEXT NOT NULL REFERENCES media (media_id),
    conversation_id TEXT NOT NULL,
    PRIMARY KEY (media_id, conversation_id)
);

CREATE TABLE media_signing_keys (
    key_id        TEXT    NOT NULL PRIMARY KEY,
    secret        BLOB    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
