-- The full-text index leaves the log's file and its transactions (issue 11): SqliteSearchIndex keeps it in
-- parley-search.db, filled from the log after each commit and brought up to date before every search, so a
-- search still finds exactly the messages whose append completed. The triggers made every commit also write
-- FTS5 segments (a new one per transaction, merged as they piled up): about a third of the writer's CPU when
-- a commit held a single message, and its slowest commits. The new file is built from the log on first start.
DROP TRIGGER IF EXISTS search_index_message;
DROP TRIGGER IF EXISTS search_index_edit;
DROP TRIGGER IF EXISTS search_unindex_deleted;
DROP TABLE IF EXISTS search_text;
DROP TABLE IF EXISTS search_rows;
