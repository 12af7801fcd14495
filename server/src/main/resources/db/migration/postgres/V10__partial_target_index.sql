-- Most entries have no target (only edits, deletes and reactions do), yet every insert added a row to
-- this index. Lookups by target always name one (target = $n), which implies target IS NOT NULL, so the
-- partial index serves them all.
DROP INDEX entries_target;
CREATE INDEX entries_target ON entries (conversation_id, target) WHERE target IS NOT NULL;
