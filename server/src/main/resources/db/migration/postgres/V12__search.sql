-- Full-text search over the current text of messages (PostgreSQL text search). Triggers keep the index in
-- the transaction that changes the log: a text or media entry with a body is indexed when stored, an edit
-- replaces its target's text, a delete removes it. Entries of e2ee conversations are never indexed.
-- The 'simple' configuration: case-folded words, no stemming and no stop words, since a chat holds every
-- language at once (and it matches what SQLite's unicode61 tokenizer does).
-- Keyed by conversation_id first, like entries, so it distributes the same way (docs/scaling.md).
CREATE TABLE search_text (
    conversation_id TEXT   NOT NULL,
    seq             BIGINT NOT NULL,
    body            TEXT   NOT NULL,
    doc             tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX search_text_doc ON search_text USING GIN (doc);

CREATE FUNCTION parley_search_index() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind IN ('text', 'media') THEN
        IF NEW.body IS NOT NULL AND NEW.body <> ''
                AND NOT (SELECT e2ee FROM conversations WHERE id = NEW.conversation_id) THEN
            INSERT INTO search_text (conversation_id, seq, body) VALUES (NEW.conversation_id, NEW.seq, NEW.body);
        END IF;
    ELSIF NEW.kind = 'edit' AND NEW.body IS NOT NULL AND NEW.target IS NOT NULL THEN
        IF NOT (SELECT e2ee FROM conversations WHERE id = NEW.conversation_id)
                AND EXISTS (SELECT 1 FROM entries t WHERE t.conversation_id = NEW.conversation_id
                            AND t.seq = NEW.target AND t.kind IN ('text', 'media') AND NOT t.deleted) THEN
            INSERT INTO search_text (conversation_id, seq, body) VALUES (NEW.conversation_id, NEW.target, NEW.body)
            ON CONFLICT (conversation_id, seq) DO UPDATE SET body = EXCLUDED.body;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_index AFTER INSERT ON entries FOR EACH ROW EXECUTE FUNCTION parley_search_index();

CREATE FUNCTION parley_search_unindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_text WHERE conversation_id = NEW.conversation_id AND seq = NEW.seq;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_unindex AFTER UPDATE OF deleted ON entries FOR EACH ROW
    WHEN (NEW.deleted AND NOT OLD.deleted) EXECUTE FUNCTION parley_search_unindex();

-- Messages stored before this migration: their current text (the latest edit, else the body).
INSERT INTO search_text (conversation_id, seq, body)
    SELECT e.conversation_id, e.seq,
           COALESCE((SELECT x.body FROM entries x
                     WHERE x.conversation_id = e.conversation_id AND x.target = e.seq AND x.kind = 'edit'
                       AND x.body IS NOT NULL ORDER BY x.seq DESC LIMIT 1), e.body)
    FROM entries e JOIN conversations c ON c.id = e.conversation_id
    WHERE e.kind IN ('text', 'media') AND NOT e.deleted AND e.body IS NOT NULL AND e.body <> '' AND NOT c.e2ee;
