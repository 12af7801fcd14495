-- Push notifications (docs/push.md). A subscription is where one device is reached: a Web Push endpoint
-- with the browser's keys, or an FCM / APNs token. Deleted with the device's sign-out, or when the push
-- service says it is gone.
CREATE TABLE push_subscriptions (
    subscription_id TEXT    PRIMARY KEY,
    user_id         TEXT    NOT NULL,
    device_id       TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    p256dh          TEXT,
    auth            TEXT,
    created_at_ms   BIGINT NOT NULL,
    UNIQUE (device_id, type, address)
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- A user's own settings for a conversation (only "muted" so far).
CREATE TABLE conversation_settings (
    conversation_id TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    muted           BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (conversation_id, user_id)
);

-- Pushes decided but not yet delivered: durable, so a crash between the decision and the delivery loses
-- nothing. state 0 = waiting (later entries of the conversation fold into it), 1 = claimed or retrying
-- (due_at_ms is then the end of the lease or the retry time).
CREATE TABLE push_queue (
    push_id           TEXT    PRIMARY KEY,
    subscription_id   TEXT    NOT NULL,
    conversation_id   TEXT    NOT NULL,
    seq               BIGINT NOT NULL,
    sender_id         TEXT    NOT NULL,
    sender_name       TEXT,
    title             TEXT,
    preview           TEXT,
    count             INTEGER NOT NULL,
    state             INTEGER NOT NULL DEFAULT 0,
    attempts          INTEGER NOT NULL DEFAULT 0,
    due_at_ms         BIGINT NOT NULL,
    decided_at_ms     BIGINT NOT NULL
);
CREATE INDEX push_queue_due ON push_queue (due_at_ms);
CREATE INDEX push_queue_waiting ON push_queue (subscription_id, conversation_id, state);

-- Keys of the installation made once and kept (the VAPID key pair), shared by every node.
CREATE TABLE installation_keys (
    name          TEXT    PRIMARY KEY,
    value         BYTEA    NOT NULL,
    created_at_ms BIGINT NOT NULL
);
