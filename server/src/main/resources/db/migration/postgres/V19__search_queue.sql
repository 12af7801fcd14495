-- The full-text index leaves the writer's transaction (issue 11): keeping search_text in it (V12, V18) cost about a
-- third of each append (a tsvector built and a GIN entry added per message). Now the writer's transaction only
-- queues which messages changed; PostgresSearchIndex indexes them in transactions of its own, a few times a second
-- in the background and always before a search runs, so a search still finds exactly the messages whose append
-- completed before it, with their current text.
--
-- A queue row names a message (conversation_id, seq) whose indexed text may have changed: a new text or media
-- entry names itself, an edit or a delete names its target. It carries no text: the indexer reads the message's
-- current state from entries (its latest edit, deleted, e2ee), so processing the rows in any order, or one twice,
-- ends the same. e2ee conversations are filtered out there too, which keeps the writer's trigger to one insert
-- with no lookup. The id only pages the queue and bounds a search's catch-up; entries of several nodes do not
-- commit in id order, and nothing relies on that.
CREATE TABLE search_queue (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id TEXT   NOT NULL,
    seq             BIGINT NOT NULL
);

-- One row, locked (FOR UPDATE) by whichever indexer drains the queue: drains of all nodes run one at a time, so
-- each reads the entries after the previous one committed and a slower one can never write older text over newer.
-- A row lock rather than an advisory lock: it belongs to this schema only, and ends with its transaction or
-- connection (a node that dies mid-drain leaves the queue as it was).
CREATE TABLE search_indexer (
    id INT PRIMARY KEY CHECK (id = 1)
);
INSERT INTO search_indexer (id) VALUES (1);

DROP TRIGGER search_index ON entries;
DROP TRIGGER search_unindex ON entries;
DROP FUNCTION parley_search_index();
DROP FUNCTION parley_search_unindex();

-- One statement per multi-row insert of the group commit, as V18. A delete is queued by its delete entry (stored in
-- the same transaction as the update that flags the target deleted), so no row trigger on updates is needed.
CREATE FUNCTION parley_search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (conversation_id, seq)
    SELECT e.conversation_id, CASE WHEN e.kind IN ('text', 'media') THEN e.seq ELSE e.target END
    FROM new_entries e
    WHERE (e.kind IN ('text', 'media') AND e.body IS NOT NULL AND e.body <> '')
       OR (e.kind = 'edit' AND e.body IS NOT NULL AND e.target IS NOT NULL)
       OR (e.kind = 'delete' AND e.target IS NOT NULL);
    RETURN NULL;
END
$$;

CREATE TRIGGER search_enqueue AFTER INSERT ON entries REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION parley_search_enqueue();
