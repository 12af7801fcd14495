-- Integration with a host product (docs/integration.md). Keep it the same shape as
-- db/migration/sqlite/V8__integration.sql, which explains each table.
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX users_external_id ON users (external_id);

CREATE TABLE webhooks (
    webhook_id    TEXT   NOT NULL PRIMARY KEY,
    url           TEXT   NOT NULL,
    events        TEXT   NOT NULL,
    secret        TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE webhook_outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id      TEXT   NOT NULL,
    event_id        TEXT   NOT NULL,
    type            TEXT   NOT NULL,
    conversation_id TEXT,
    seq             BIGINT,
    subject_id      TEXT,
    created_at_ms   BIGINT NOT NULL,
    due_at_ms       BIGINT NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until_ms  BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX webhook_outbox_queue ON webhook_outbox (webhook_id, conversation_id, id);
CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at_ms);

-- Statement-level triggers with transition tables: one call per multi-row insert of the group commit, and
-- nothing but an EXISTS when no webhook is registered. Rows are inserted in (conversation, seq) order, so
-- ids follow seq within a conversation (appends to one conversation are serialised by its row lock).
CREATE FUNCTION webhook_on_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_outbox (webhook_id, event_id, type, conversation_id, seq, created_at_ms)
    SELECT w.webhook_id, 'evt_' || e.conversation_id || '_' || e.seq, t.type, e.conversation_id, e.seq,
           e.created_at_ms
    FROM new_entries e
    CROSS JOIN LATERAL (SELECT CASE
            WHEN e.kind IN ('text', 'media') THEN 'message.created'
            WHEN e.kind = 'edit' THEN 'message.edited'
            WHEN e.kind = 'delete' THEN 'message.deleted'
            WHEN e.kind = 'system' THEN
                CASE (e.system::jsonb ->> 'action')
                    WHEN 'added' THEN 'member.added'
                    WHEN 'removed' THEN 'member.removed'
                    WHEN 'left' THEN 'member.removed'
                END
        END AS type) t
    JOIN webhooks w ON strpos(',' || w.events || ',', ',' || t.type || ',') > 0
    WHERE t.type IS NOT NULL
    ORDER BY e.conversation_id, e.seq, w.webhook_id;
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_entries AFTER INSERT ON entries REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_on_entries();

CREATE FUNCTION webhook_on_conversations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_outbox (webhook_id, event_id, type, conversation_id, seq, created_at_ms)
    SELECT w.webhook_id, 'evt_' || c.id || '_created', 'conversation.created', c.id, 0, c.created_at_ms
    FROM new_conversations c JOIN webhooks w ON strpos(',' || w.events || ',', ',conversation.created,') > 0
    ORDER BY c.id, w.webhook_id;
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_conversations AFTER INSERT ON conversations REFERENCING NEW TABLE AS new_conversations
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_on_conversations();

CREATE FUNCTION webhook_on_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_outbox (webhook_id, event_id, type, subject_id, created_at_ms)
    SELECT w.webhook_id, 'evt_' || u.user_id || '_created', 'user.created', u.user_id, u.created_at_ms
    FROM new_users u JOIN webhooks w ON strpos(',' || w.events || ',', ',user.created,') > 0
    ORDER BY u.user_id, w.webhook_id;
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_users AFTER INSERT ON users REFERENCING NEW TABLE AS new_users
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_on_users();
