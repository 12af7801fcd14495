-- Privacy of presence (docs/security.md "Privacy of presence"): who has chosen to talk in a conversation.
-- A user is engaged in a conversation they created, sent anything in, or accepted; their presence is
-- shown only to people who share such a conversation with them, and a direct conversation they are not
-- engaged in is a message request in their clients. Rows are only ever added.
CREATE TABLE engagements (
    conversation_id TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    engaged_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX engagements_user_id ON engagements (user_id);

-- Existing data: creators, and everyone who has sent something, had chosen to talk before this table
-- existed, so an upgrade hides no presence that was shown for them.
INSERT INTO engagements (conversation_id, user_id, engaged_at_ms)
    SELECT id, created_by, created_at_ms FROM conversations WHERE created_by IS NOT NULL
    ON CONFLICT DO NOTHING;
INSERT INTO engagements (conversation_id, user_id, engaged_at_ms)
    SELECT conversation_id, sender_id, MIN(created_at_ms) FROM entries
    WHERE sender_id IS NOT NULL AND kind <> 'system'
    GROUP BY conversation_id, sender_id
    ON CONFLICT DO NOTHING;
