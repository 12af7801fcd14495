-- The conversation log, hash-partitioned by conversation_id into ${partitions} partitions (store.partitions,
-- PARLEY_STORE_PARTITIONS; fixed here, when the schema is created). Every key and index of entries leads
-- with conversation_id, so a conversation's entries live in one partition, and the same schema
-- distributes on Citus by conversation_id unchanged (see docs/scaling.md).
-- Existing rows are copied over (a one-off, at upgrade time).

ALTER TABLE entries RENAME TO entries_unpartitioned;
ALTER TABLE entries_unpartitioned RENAME CONSTRAINT entries_pkey TO entries_unpartitioned_pkey;
ALTER INDEX entries_idempotency RENAME TO entries_unpartitioned_idempotency;
ALTER INDEX entries_target RENAME TO entries_unpartitioned_target;

CREATE TABLE entries (
    conversation_id  TEXT    NOT NULL,
    seq              BIGINT  NOT NULL,
    message_id       TEXT    NOT NULL,
    sender_id        TEXT,
    sender_device_id TEXT,
    client_msg_id    TEXT,
    kind             TEXT    NOT NULL,
    body             TEXT,
    target           BIGINT,
    emoji            TEXT,
    reaction_on      BOOLEAN,
    reply_to         BIGINT,
    thread_root      BIGINT,
    attachments      TEXT,
    system           TEXT,
    deleted          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ms    BIGINT  NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) PARTITION BY HASH (conversation_id);

DO $$
BEGIN
    FOR i IN 0..(${partitions} - 1) LOOP
        EXECUTE format('CREATE TABLE entries_p%s PARTITION OF entries FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                       i, ${partitions}, i);
    END LOOP;
END
$$;

CREATE UNIQUE INDEX entries_idempotency ON entries (conversation_id, sender_device_id, client_msg_id);
CREATE INDEX entries_target ON entries (conversation_id, target);

INSERT INTO entries SELECT * FROM entries_unpartitioned;
DROP TABLE entries_unpartitioned;
