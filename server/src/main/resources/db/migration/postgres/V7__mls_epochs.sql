-- The MLS Delivery Service (docs/e2ee.md): each e2ee conversation's epoch, moved by accepted Commits only
-- (compare-and-set in the writer's transaction), and the server's view of its tree: one row per occupied leaf.
ALTER TABLE conversations ADD COLUMN mls_epoch BIGINT NOT NULL DEFAULT 0;
-- mls-commit entries: the epoch the Commit was built on; mls-welcome entries: the recipient devices (JSON array).
ALTER TABLE entries ADD COLUMN mls_epoch BIGINT;
ALTER TABLE entries ADD COLUMN recipients TEXT;
CREATE TABLE mls_leaves (
    conversation_id TEXT   NOT NULL,
    leaf_index      BIGINT NOT NULL,
    user_id         TEXT   NOT NULL,
    device_id       TEXT   NOT NULL,
    signature_key   BYTEA  NOT NULL,
    PRIMARY KEY (conversation_id, leaf_index)
);
