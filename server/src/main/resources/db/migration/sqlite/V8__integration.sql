-- Integration with a host product (docs/integration.md).
-- Users the host product manages: its own id for them, and whether the operator disabled them.
-- Users created by the operator or by a host-signed JWT have password_hash '!' (matches no password).
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_external_id ON users (external_id);

-- Webhooks registered by the operator. The secret signs deliveries, so it is kept as given.
CREATE TABLE webhooks (
    webhook_id    TEXT    NOT NULL PRIMARY KEY,
    url           TEXT    NOT NULL,
    events        TEXT    NOT NULL, -- comma-separated event types
    secret        TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);

-- The transactional outbox: one row per (webhook, event) still to deliver. Rows are written by the
-- triggers below inside the transaction that stores the entry, conversation or user, so an event is
-- durable exactly when what it reports is. A row is deleted once delivered (or given up on). Within one
-- webhook and conversation, ids follow seq order and only the oldest row is handed out (in order per
-- conversation); the lease keeps one node at a time on a row.
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    conversation_id TEXT,
    seq             INTEGER,
    subject_id      TEXT,
    created_at_ms   INTEGER NOT NULL,
    due_at_ms       INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until_ms  INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX webhook_outbox_queue ON webhook_outbox (webhook_id, conversation_id, id);
CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at_ms);

-- Entries: text/media -> message.created, edit -> message.edited, delete -> message.deleted, membership
-- system entries -> member.added / member.removed. With no webhook registered this costs one lookup.
CREATE TRIGGER webhook_entries AFTER INSERT ON entries
WHEN EXISTS (SELECT 1 FROM webhooks)
BEGIN
    INSERT INTO webhook_outbox (webhook_id, event_id, type, conversation_id, seq, created_at_ms)
    SELECT w.webhook_id, 'evt_' || NEW.conversation_id || '_' || NEW.seq, t.type, NEW.conversation_id, NEW.seq,
           NEW.created_at_ms
    FROM (SELECT CASE
              WHEN NEW.kind IN ('text', 'media') THEN 'message.created'
              WHEN NEW.kind = 'edit' THEN 'message.edited'
              WHEN NEW.kind = 'delete' THEN 'message.deleted'
              WHEN NEW.kind = 'system' THEN
                  CASE WHEN json_valid(NEW.system) THEN
                      CASE json_extract(NEW.system, '$.action')
                          WHEN 'added' THEN 'member.added'
                          WHEN 'removed' THEN 'member.removed'
                          WHEN 'left' THEN 'member.removed'
                      END
                  END
          END AS type) AS t
    JOIN webhooks w ON instr(',' || w.events || ',', ',' || t.type || ',') > 0
    WHERE t.type IS NOT NULL
    ORDER BY w.webhook_id;
END;

CREATE TRIGGER webhook_conversations AFTER INSERT ON conversations
WHEN EXISTS (SELECT 1 FROM webhooks)
BEGIN
    INSERT INTO webhook_outbox (webhook_id, event_id, type, conversation_id, seq, created_at_ms)
    SELECT w.webhook_id, 'evt_' || NEW.id || '_created', 'conversation.created', NEW.id, 0, NEW.created_at_ms
    FROM webhooks w WHERE instr(',' || w.events || ',', ',conversation.created,') > 0
    ORDER BY w.webhook_id;
END;

CREATE TRIGGER webhook_users AFTER INSERT ON users
WHEN EXISTS (SELECT 1 FROM webhooks)
BEGIN
    INSERT INTO webhook_outbox (webhook_id, event_id, type, subject_id, created_at_ms)
    SELECT w.webhook_id, 'evt_' || NEW.user_id || '_created', 'user.created', NEW.user_id, NEW.created_at_ms
    FROM webhooks w WHERE instr(',' || w.events || ',', ',user.created,') > 0
    ORDER BY w.webhook_id;
END;
