-- The search index is kept by one statement-level trigger per multi-row insert of the group commit instead of a
-- PL/pgSQL call per row (each of which ran a lookup of the conversation and an insert of its own). Same rules as
-- V12: a text or media entry with a body is indexed when stored, an edit replaces its target's text (the latest
-- edit of the statement wins, as when the row triggers ran in row order, which is seq order), and entries of
-- e2ee conversations are never indexed. A transition table holds only the rows the insert stored, so a retried
-- send that ON CONFLICT skipped is not indexed twice. The delete trigger (search_unindex) stays per row: deletes
-- are single-row updates.
DROP TRIGGER search_index ON entries;

CREATE OR REPLACE FUNCTION parley_search_index() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_text (conversation_id, seq, body)
    SELECT e.conversation_id, e.seq, e.body
    FROM new_entries e JOIN conversations c ON c.id = e.conversation_id
    WHERE e.kind IN ('text', 'media') AND e.body IS NOT NULL AND e.body <> '' AND NOT c.e2ee;

    INSERT INTO search_text (conversation_id, seq, body)
    SELECT DISTINCT ON (x.conversation_id, x.target) x.conversation_id, x.target, x.body
    FROM new_entries x JOIN conversations c ON c.id = x.conversation_id
    WHERE x.kind = 'edit' AND x.body IS NOT NULL AND x.target IS NOT NULL AND NOT c.e2ee
      AND EXISTS (SELECT 1 FROM entries t WHERE t.conversation_id = x.conversation_id AND t.seq = x.target
                  AND t.kind IN ('text', 'media') AND NOT t.deleted)
    ORDER BY x.conversation_id, x.target, x.seq DESC
    ON CONFLICT (conversation_id, seq) DO UPDATE SET body = EXCLUDED.body;
    RETURN NULL;
END
$$;

CREATE TRIGGER search_index AFTER INSERT ON entries REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION parley_search_index();
