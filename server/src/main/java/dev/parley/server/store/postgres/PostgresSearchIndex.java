package dev.parley.server.store.postgres;

import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.core.port.SearchIndex;
import dev.parley.server.store.SearchHits;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.jdbc.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Search on PostgreSQL text search ({@code search_text} with a GIN index over a generated {@code tsvector}), filled
 * from a queue after the log's commits rather than inside them. Ranked by cover density, then newest first. The
 * snippet ({@code ts_headline}, which re-parses the text) is made for the page of hits only, not for every match.
 * Query words hold only letters and digits, so user input is never tsquery syntax.
 *
 * <p>Why not in the writer's transaction: the triggers of V12/V18 built a {@code tsvector} and added GIN entries
 * for every message inside the single writer's commit, about a third of an append. Since V19 the writer's
 * transaction only adds a {@code search_queue} row (conversation, seq) per new message, edit or delete, and this
 * class drains the queue in transactions of its own: a page at a time in the background, and always before a search
 * runs, up to the newest row committed before the search began. So a search finds exactly what it found with the
 * triggers: every message whose append completed before the search, with its current text.
 *
 * <p>Every node drains, one at a time: a drain first locks the single row of {@code search_indexer} (the background
 * skips its turn when another node holds it; a search waits, so it also waits for work another node is in the
 * middle of). Drains therefore never overlap, and each reads the entries after the previous one committed: the text
 * it writes is never older than what is already indexed. A queue row carries no text; the drain indexes the
 * message's current state read from {@code entries} (latest edit, else the body; nothing if deleted, not a text or
 * media entry, or in an e2ee conversation), so the order rows are drained in, or draining one twice, does not change
 * the result. The queue rows and the index change commit together: a drain that fails, or whose node dies, leaves
 * the queue as it was, for the next one.
 */
public final class PostgresSearchIndex implements SearchIndex, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSearchIndex.class);
    private static final String HEADLINE_OPTIONS =
            "StartSel=\"\", StopSel=\"\", MaxWords=24, MinWords=12, ShortWord=2, MaxFragments=1";
    /** Queue rows drained per transaction. */
    static final int DEFAULT_PAGE = 2_000;
    /** How often the background indexer drains the queue, by default. */
    public static final long DEFAULT_INTERVAL_MS = 200;
    /** How long a search waits for another node's drain before it fails rather than hang. */
    private static final String SEARCH_LOCK_TIMEOUT = "10s";

    /**
     * One page: take up to a page of queue rows (ids up to a bound), read each named message's current text, and
     * index or unindex it. Returns how many queue rows it took. The caller holds the {@code search_indexer} lock.
     */
    private static final String DRAIN = """
            WITH taken AS (
                DELETE FROM search_queue
                WHERE id IN (SELECT id FROM search_queue WHERE id <= ? ORDER BY id LIMIT ?)
                RETURNING conversation_id, seq),
            changed AS (
                SELECT DISTINCT conversation_id, seq FROM taken),
            current_text AS (
                SELECT ch.conversation_id, ch.seq,
                       CASE WHEN e.kind IN ('text', 'media') AND NOT e.deleted AND NOT c.e2ee
                            THEN COALESCE((SELECT x.body FROM entries x
                                           WHERE x.conversation_id = ch.conversation_id AND x.target = ch.seq
                                             AND x.kind = 'edit' AND x.body IS NOT NULL
                                           ORDER BY x.seq DESC LIMIT 1), e.body) END AS body
                FROM changed ch
                LEFT JOIN entries e ON e.conversation_id = ch.conversation_id AND e.seq = ch.seq
                LEFT JOIN conversations c ON c.id = ch.conversation_id),
            indexed AS (
                INSERT INTO search_text (conversation_id, seq, body)
                SELECT conversation_id, seq, body FROM current_text WHERE body <> ''
                ON CONFLICT (conversation_id, seq) DO UPDATE SET body = EXCLUDED.body
                WHERE search_text.body IS DISTINCT FROM EXCLUDED.body),
            unindexed AS (
                DELETE FROM search_text s USING current_text t
                WHERE s.conversation_id = t.conversation_id AND s.seq = t.seq
                  AND (t.body IS NULL OR t.body = ''))
            SELECT count(*) FROM taken""";

    private final Database db;
    private final int page;
    /** One drain of this node at a time (the row lock orders the nodes); fair, so searches queue in order. */
    private final ReentrantLock draining = new ReentrantLock(true);
    private final Thread indexer;
    private volatile boolean closed;

    /** The index over {@code db}, drained in the background every {@value #DEFAULT_INTERVAL_MS} ms. */
    public PostgresSearchIndex(Database db) {
        this(db, DEFAULT_INTERVAL_MS);
    }

    /**
     * The index over {@code db}, drained in the background every {@code intervalMs} milliseconds, or only by
     * searches (and {@link #catchUp}) when {@code intervalMs} is zero.
     */
    public PostgresSearchIndex(Database db, long intervalMs) {
        this(db, intervalMs, DEFAULT_PAGE);
    }

    /** As above, draining {@code page} queue rows per transaction (tests use small pages). */
    PostgresSearchIndex(Database db, long intervalMs, int page) {
        this.db = db;
        this.page = page;
        this.indexer = intervalMs <= 0 ? null
                : Thread.ofPlatform().name("parley-search-indexer").daemon(true).start(() -> runIndexer(intervalMs));
    }

    @Override
    public List<SearchHit> search(String userId, SearchQuery query, String conversationId, int limit) {
        catchUp();
        String sql = """
                SELECT hit.conversation_id, hit.seq, e.sender_id, e.created_at_ms,
                       ts_headline('simple', hit.body, to_tsquery('simple', ?), ?) AS snippet
                FROM (SELECT s.conversation_id, s.seq, s.body, ts_rank_cd(s.doc, q) AS rank
                      FROM search_text s
                      JOIN members m ON m.conversation_id = s.conversation_id AND m.user_id = ?
                      JOIN conversations c ON c.id = s.conversation_id AND NOT c.e2ee,
                      to_tsquery('simple', ?) q
                      WHERE s.doc @@ q %s
                      ORDER BY rank DESC, s.seq DESC
                      LIMIT ?) hit
                JOIN entries e ON e.conversation_id = hit.conversation_id AND e.seq = hit.seq AND NOT e.deleted
                ORDER BY hit.rank DESC, e.created_at_ms DESC, hit.seq DESC"""
                .formatted(conversationId == null ? "" : "AND s.conversation_id = ?");
        String tsquery = tsquery(query);
        return db.read("search", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, tsquery);
                ps.setString(i++, HEADLINE_OPTIONS);
                ps.setString(i++, userId);
                ps.setString(i++, tsquery);
                if (conversationId != null) {
                    ps.setString(i++, conversationId);
                }
                ps.setInt(i, limit);
                return SearchHits.read(ps);
            }
        });
    }

    /** {@code w1 & w2 & w3:*}: every word required, the last one as a prefix too. */
    static String tsquery(SearchQuery query) {
        List<String> words = query.words();
        return String.join(" & ", words) + ":*";
    }

    /**
     * Indexes every queued change committed before this call, waiting for any drain another node is in the middle
     * of, and no further (so a steady stream of sends cannot keep a search waiting). Called before each search.
     * When the queue shows no row, every change committed so far is indexed already (a row leaves the queue in the
     * same transaction that indexes it), and this returns after one read.
     */
    public void catchUp() {
        if (closed) {
            throw new StoreException("search index closed", null);
        }
        long newest = newestQueued();
        if (newest == 0) {
            return;
        }
        draining.lock();
        try {
            while (drainPage(newest, true) == page) {
                // a full page: there may be more up to `newest`
            }
        } finally {
            draining.unlock();
        }
    }

    /**
     * One background round: drains the whole queue as it stands, unless another node is draining (then that node
     * does it). Returns the queue rows it took.
     */
    long drainInBackground() {
        long newest = newestQueued();
        if (newest == 0) {
            return 0;
        }
        long taken = 0;
        draining.lock();
        try {
            int n;
            do {
                n = drainPage(newest, false);
                taken += Math.max(n, 0);
            } while (n == page && !closed);
        } finally {
            draining.unlock();
        }
        return taken;
    }

    /** The largest queue id committed, 0 when the queue is empty. */
    private long newestQueued() {
        return db.read("search queue", c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT max(id) FROM search_queue")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /**
     * One transaction: the indexer lock, then a page of queue rows with ids up to {@code upTo}. Waits for the lock
     * when {@code wait}; otherwise returns -1 if another node holds it. The commit need not wait for the disk: the
     * queue rows and the index change are one transaction, so a commit lost in a crash of the database server is
     * redone from the queue. Without JIT: see below.
     */
    private int drainPage(long upTo, boolean wait) {
        return db.read("search indexing", c -> {
            c.setAutoCommit(false);
            try {
                int taken = drainPage(c, upTo, page, wait);
                c.commit();
                return taken;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    private static int drainPage(Connection c, long upTo, int page, boolean wait) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL synchronous_commit = off");
            // The planner's estimate for a page (a lookup and a subquery per row) passes jit_above_cost, and
            // compiling the plan took ~95 ms, five times the page's own work (measured on a page of 2,000).
            s.execute("SET LOCAL jit = off");
            if (wait) {
                s.execute("SET LOCAL lock_timeout = '" + SEARCH_LOCK_TIMEOUT + "'");
            }
            try (ResultSet rs = s.executeQuery("SELECT id FROM search_indexer FOR UPDATE"
                    + (wait ? "" : " SKIP LOCKED"))) {
                if (!rs.next()) {
                    return -1;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(DRAIN)) {
            ps.setLong(1, upTo);
            ps.setInt(2, page);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private void runIndexer(long intervalMs) {
        long backOffMs = intervalMs;
        while (!closed) {
            try {
                TimeUnit.MILLISECONDS.sleep(backOffMs);
                drainInBackground();
                backOffMs = intervalMs;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("search indexer: {}; retrying", e.toString());
                backOffMs = Math.min(backOffMs * 2, 10_000);
            }
        }
    }

    /** Stops the background indexer; what it has not drained stays queued for the next search or node. */
    @Override
    public void close() {
        closed = true;
        if (indexer != null) {
            indexer.interrupt();
            try {
                indexer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
