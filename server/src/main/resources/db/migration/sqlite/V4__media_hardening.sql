-- Media hardening (sqlite dialect; keep it the same shape as the other dialect's file).
--
-- 1. A message's hold on its attachments: media_posts said only "posted in conversation X", so deleting
--    the message could not take the medium back. media_holds names the message by its idempotency key
--    (sender device + clientMsgId). Rows carried over from media_posts have empty keys: the first delete
--    of a message carrying that medium in that conversation drops them.
-- 2. media.released_at_ms: set when the last hold goes; a released medium is never served again and is
--    collected (row, then blob once no other row shares it).
-- 3. Resumable (tus) uploads in the database, so that any node can continue an upload another node
--    began: media_uploads holds the state, media_upload_parts the bytes in chunks.

CREATE TABLE media_holds (
    media_id         TEXT NOT NULL REFERENCES media (media_id),
    conversation_id  TEXT NOT NULL,
    sender_device_id TEXT NOT NULL,
    client_msg_id    TEXT NOT NULL,
    PRIMARY KEY (media_id, conversation_id, sender_device_id, client_msg_id)
);
INSERT INTO media_holds (media_id, conversation_id, sender_device_id, client_msg_id)
    SELECT media_id, conversation_id, '', '' FROM media_posts;
DROP TABLE media_posts;

ALTER TABLE media ADD COLUMN released_at_ms INTEGER;
CREATE INDEX media_storage_key ON media (storage_key);
CREATE INDEX media_thumb_key ON media (thumb_key);
CREATE INDEX media_created ON media (created_at_ms);

CREATE TABLE media_uploads (
    upload_id     TEXT NOT NULL PRIMARY KEY,
    owner_id      TEXT NOT NULL,
    length        INTEGER NOT NULL,
    upload_offset INTEGER NOT NULL,
    filename      TEXT,
    filetype      TEXT,
    encrypted     INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    media_id      TEXT
);
CREATE INDEX media_uploads_owner ON media_uploads (owner_id);

CREATE TABLE media_upload_parts (
    upload_id   TEXT NOT NULL REFERENCES media_uploads (upload_id),
    part_offset INTEGER NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (upload_id, part_offset)
);
