-- Citus readiness (docs/scaling.md, "Citus"): a unique constraint must include the distribution column, and
-- conversations.direct_key UNIQUE did not. The one direct conversation per pair of users is now guarded by its
-- own small table keyed (and distributable) by the pair's key, written in the same transaction as the
-- conversation; conversations.direct_key stays as a plain column for the views.
CREATE TABLE direct_pairs (
    direct_key      TEXT NOT NULL PRIMARY KEY,
    conversation_id TEXT NOT NULL
);
INSERT INTO direct_pairs (direct_key, conversation_id)
    SELECT direct_key, id FROM conversations WHERE direct_key IS NOT NULL;
ALTER TABLE conversations DROP CONSTRAINT IF EXISTS conversations_direct_key_key;
