-- Same shape as PostgreSQL V17: the one direct conversation per pair of users is guarded by direct_pairs,
-- written in the conversation's transaction (the SQL is shared). SQLite keeps the old UNIQUE on
-- conversations.direct_key (dropping it would rebuild the table); it can never fire before direct_pairs does.
CREATE TABLE direct_pairs (
    direct_key      TEXT NOT NULL PRIMARY KEY,
    conversation_id TEXT NOT NULL
);
INSERT INTO direct_pairs (direct_key, conversation_id)
    SELECT direct_key, id FROM conversations WHERE direct_key IS NOT NULL;
