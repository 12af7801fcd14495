-- Full-text search over the current text of messages (SQLite FTS5). Triggers keep the index in the
-- transaction that changes the log, so nothing is ever found that is not stored, and nothing deleted is
-- found: a text or media entry with a body is indexed when stored, an edit replaces its target's text, a
-- delete removes it. Entries of e2ee conversations are never indexed.
-- search_rows gives each indexed message a stable integer id (the FTS table's rowid); the entries
-- table's own rowid is not stable across VACUUM, so it is not used.
CREATE TABLE search_rows (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    UNIQUE (conversation_id, seq)
);

-- unicode61: words are runs of letters and digits in any script, case-folded, diacritics removed
-- (so "Munchen" finds "München"); no stemming, as for PostgreSQL's 'simple' configuration.
CREATE VIRTUAL TABLE search_text USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER search_index_message AFTER INSERT ON entries
WHEN new.kind IN ('text', 'media') AND new.body IS NOT NULL AND new.body <> ''
    AND (SELECT e2ee FROM conversations WHERE id = new.conversation_id) = 0
BEGIN
    INSERT INTO search_rows (conversation_id, seq) VALUES (new.conversation_id, new.seq);
    INSERT INTO search_text (rowid, body) VALUES (last_insert_rowid(), new.body);
END;

CREATE TRIGGER search_index_edit AFTER INSERT ON entries
WHEN new.kind = 'edit' AND new.body IS NOT NULL AND new.target IS NOT NULL
    AND (SELECT e2ee FROM conversations WHERE id = new.conversation_id) = 0
BEGIN
    DELETE FROM search_text WHERE rowid =
        (SELECT id FROM search_rows WHERE conversation_id = new.conversation_id AND seq = new.target);
    INSERT OR IGNORE INTO search_rows (conversation_id, seq)
        SELECT t.conversation_id, t.seq FROM entries t
        WHERE t.conversation_id = new.conversation_id AND t.seq = new.target
          AND t.kind IN ('text', 'media') AND t.deleted = 0;
    INSERT INTO search_text (rowid, body)
        SELECT id, new.body FROM search_rows WHERE conversation_id = new.conversation_id AND seq = new.target;
END;

CREATE TRIGGER search_unindex_deleted AFTER UPDATE OF deleted ON entries
WHEN new.deleted = 1 AND old.deleted = 0
BEGIN
    DELETE FROM search_text WHERE rowid =
        (SELECT id FROM search_rows WHERE conversation_id = new.conversation_id AND seq = new.seq);
    DELETE FROM search_rows WHERE conversation_id = new.conversation_id AND seq = new.seq;
END;

-- Messages stored before this migration: their current text (the latest edit, else the body).
INSERT INTO search_rows (conversation_id, seq)
    SELECT e.conversation_id, e.seq FROM entries e JOIN conversations c ON c.id = e.conversation_id
    WHERE e.kind IN ('text', 'media') AND e.deleted = 0 AND e.body IS NOT NULL AND e.body <> '' AND c.e2ee = 0;
INSERT INTO search_text (rowid, body)
    SELECT r.id, COALESCE((SELECT x.body FROM entries x
                           WHERE x.conversation_id = r.conversation_id AND x.target = r.seq AND x.kind = 'edit'
                             AND x.body IS NOT NULL ORDER BY x.seq DESC LIMIT 1), e.body)
    FROM search_rows r JOIN entries e ON e.conversation_id = r.conversation_id AND e.seq = r.seq;
