-- The idempotency index led with conversation_id, so a batch of appends inserted into it at one place per
-- conversation (and per sending device): each place a leaf page written, and when it overflowed, its siblings and
-- parent rebalanced too. A batch of 4,096 appends across 500 conversations wrote ~1,800 pages of this index
-- alone. Clients' message ids are time-ordered UUIDs (v7): leading with them, new keys arrive at the right edge of
-- the index, in a few leaves shared by the whole batch (~130 pages for the same batch, on a copy of this schema).
-- Same columns, so the same unique key: the upsert's ON CONFLICT target (SQLite matches it to the index in any
-- column order) and the lookups (equality on all three) are unchanged. Ids that are not time-ordered still work,
-- at about the old cost.
DROP INDEX entries_idempotency;
CREATE UNIQUE INDEX entries_idempotency ON entries (client_msg_id, sender_device_id, conversation_id);
