package dev.parley.server.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.core.port.SearchIndex;
import dev.parley.server.store.SearchHits;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.jdbc.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Search on SQLite's FTS5, kept in a file of its own beside the log ({@code parley-search.db} next to
 * {@code parley.db}) and filled from the log after its commits rather than inside them.
 *
 * <p>Why not in the writer's transaction: with a trigger, every commit also wrote the FTS5 index, which makes one
 * new index segment per transaction and merges them as they pile up. At low load, when a commit holds a single
 * message, that cost a third of the writer's CPU and produced the slowest commits (the end-to-end latency tail).
 * Here an indexer reads the log in {@code rowid} order (the log's rows are never removed, so a new row always has
 * a larger rowid) and indexes a page of entries per transaction: a few times a second in the background, and
 * always up to the newest committed entry before a search runs. So a search finds exactly what it would have
 * found with the trigger: every message whose append completed before the search, with its current text.
 *
 * <p>The index file holds derived data only: its own high-water mark ({@code index_state}) is written in the
 * same transaction as the index, so after a crash it resumes from the last page it committed, and a file that
 * does not match the log (removed, from another database, or a log whose rowids a {@code VACUUM} renumbered) is
 * rebuilt from the log. Entries of e2ee conversations are never indexed; deleted messages are skipped and a
 * delete unindexes its target, and a search also checks {@code deleted} on the log itself.
 *
 * <p>A message's row in the FTS5 table has the message's log rowid as its own rowid, and a search joins the log by
 * it. Layout 1 had a table of its own that gave each message an id, with a unique index on (conversation, seq):
 * every indexer cycle wrote a leaf of that index per conversation with new messages, scattered pages that each
 * checkpoint of the index file then wrote and synced while the log's writer was syncing its own commits. Now a new
 * message writes only the FTS5 table's own tables, mostly at their ends. Since the log's rows are never removed,
 * their rowids have no gaps, and a copy of the table in rowid order numbers them the same; the check at open
 * rebuilds an index whose high-water entry is not at its rowid any more.
 */
public final class SqliteSearchIndex implements SearchIndex, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteSearchIndex.class);
    /** Tokens of context the snippet shows around the matched words. */
    private static final int SNIPPET_TOKENS = 24;
    /** Log entries indexed per transaction of the index file. */
    private static final int PAGE = 2_000;
    /** How often the background indexer looks for new entries. */
    private static final long INTERVAL_MS = 200;
    /** A catch-up over more log entries than this (a rebuild, or a restart far behind) is logged. */
    private static final long LOGGED_CATCH_UP = 20_000;
    /** The index file's layout; another value in {@code PRAGMA user_version} means: rebuild. */
    private static final int LAYOUT = 2;

    private final Database log;
    private final Path file;
    private final Connection index;
    private final HikariDataSource searches;
    private final Thread indexer;
    private volatile boolean closed;
    /** The newest log rowid indexed; guarded by {@code this}. */
    private long indexedUpTo;

    /**
     * Opens (creating or rebuilding it if needed) the index file {@code file} for the log in {@code log} (the
     * SQLite database {@code logFile}), and starts the background indexer.
     */
    public SqliteSearchIndex(Database log, Path logFile, Path file) {
        this.log = log;
        this.file = file.toAbsolutePath();
        try {
            this.index = openIndex(this.file);
            this.indexedUpTo = loadHighWaterMark();
        } catch (SQLException e) {
            throw new StoreException("cannot open the search index " + this.file, e);
        }
        this.searches = openSearches(logFile.toAbsolutePath(), this.file);
        this.indexer = Thread.ofPlatform().name("parley-search-indexer").daemon(true).start(this::runIndexer);
    }

    /** The index file that goes with the log file {@code logFile}: {@code parley.db} → {@code parley-search.db}. */
    public static Path fileFor(Path logFile) {
        String name = logFile.getFileName().toString();
        String base = name.endsWith(".db") ? name.substring(0, name.length() - 3) : name;
        return logFile.resolveSibling(base + "-search.db");
    }

    @Override
    public List<SearchHit> search(String userId, SearchQuery query, String conversationId, int limit) {
        catchUp();
        String sql = """
                SELECT e.conversation_id, e.seq, e.sender_id, e.created_at_ms,
                       snippet(search_text, 0, '', '', '…', %d) AS snippet
                FROM idx.search_text
                JOIN entries e ON e.rowid = search_text.rowid AND e.deleted = 0
                JOIN members m ON m.conversation_id = e.conversation_id AND m.user_id = ?
                JOIN conversations c ON c.id = e.conversation_id AND c.e2ee = 0
                WHERE search_text MATCH ? %s
                ORDER BY bm25(search_text), e.created_at_ms DESC, e.seq DESC
                LIMIT ?""".formatted(SNIPPET_TOKENS, conversationId == null ? "" : "AND e.conversation_id = ?");
        try (Connection c = searches.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, userId);
            ps.setString(i++, match(query));
            if (conversationId != null) {
                ps.setString(i++, conversationId);
            }
            ps.setInt(i, limit);
            return SearchHits.read(ps);
        } catch (SQLException e) {
            throw new StoreException("search failed on sqlite", e);
        }
    }

    /** {@code "w1" "w2" "w3"*}: every word required (FTS5's implicit AND), the last one as a prefix too. */
    static String match(SearchQuery query) {
        StringBuilder sb = new StringBuilder();
        List<String> words = query.words();
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append('"').append(words.get(i)).append('"');
        }
        return sb.append('*').toString();
    }

    /**
     * Indexes every log entry committed before this call (and no further, so a steady stream of sends cannot
     * keep a search waiting). Called before each search and by the background indexer.
     */
    synchronized void catchUp() {
        if (closed) {
            throw new StoreException("search index closed", null);
        }
        long newest = log.read("search catch-up", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(rowid) FROM entries")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
        long from = indexedUpTo;
        boolean logged = newest - from > LOGGED_CATCH_UP;
        long started = System.nanoTime();
        if (logged) {
            LOG.info("search index {}: indexing log entries {} to {}; searches wait until it is done", file,
                    from + 1, newest);
        }
        while (indexedUpTo < newest) {
            List<Row> page = readPage(indexedUpTo, newest);
            if (page.isEmpty()) {
                break;
            }
            indexPage(page);
        }
        if (logged) {
            LOG.info("search index {}: indexed {} log entries in {} ms", file, indexedUpTo - from,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** Log entries after {@code after} up to {@code upTo}, in rowid order, with what indexing them needs. */
    private List<Row> readPage(long after, long upTo) {
        return log.read("search indexing", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT e.rowid, e.conversation_id, e.seq, e.kind, e.body, e.deleted, c.e2ee,
                           t.rowid, t.kind, t.deleted
                    FROM entries e
                    JOIN conversations c ON c.id = e.conversation_id
                    LEFT JOIN entries t ON t.conversation_id = e.conversation_id AND t.seq = e.target
                    WHERE e.rowid > ? AND e.rowid <= ?
                    ORDER BY e.rowid
                    LIMIT ?""")) {
                ps.setLong(1, after);
                ps.setLong(2, upTo);
                ps.setInt(3, PAGE);
                List<Row> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long target = rs.getLong(8);
                        Long targetRowid = rs.wasNull() ? null : target; // right after its own column
                        rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                                rs.getString(5), rs.getBoolean(6), rs.getBoolean(7), targetRowid,
                                rs.getString(9), rs.getBoolean(10)));
                    }
                }
                return rows;
            }
        });
    }

    /**
     * One transaction of the index file: the page's changes and the new high-water mark. A message's row in the
     * index has the message's log rowid as its own, so indexing a new message appends to the index's tables, and
     * a change finds its target's row through the log's own join, with no lookup table of the index's.
     */
    private void indexPage(List<Row> page) {
        try {
            try (PreparedStatement put = index.prepareStatement(
                    "INSERT OR REPLACE INTO search_text (rowid, body) VALUES (?, ?)");
                 PreparedStatement drop = index.prepareStatement("DELETE FROM search_text WHERE rowid = ?");
                 PreparedStatement mark = index.prepareStatement(
                         "UPDATE index_state SET log_rowid = ?, conversation_id = ?, seq = ? WHERE id = 1")) {
                for (Row r : page) {
                    if (r.e2ee) {
                        continue;
                    }
                    // OR REPLACE: a page indexed again (its commit lost, or the mark moved back) still leaves one
                    // row per message, with its newest text.
                    switch (r.kind) {
                        case "text", "media" -> {
                            if (!r.deleted && r.body != null && !r.body.isEmpty()) {
                                put(put, r.rowid, r.body);
                            }
                        }
                        case "edit" -> {
                            if (r.targetRowid != null && r.body != null && !r.targetDeleted
                                    && ("text".equals(r.targetKind) || "media".equals(r.targetKind))) {
                                put(put, r.targetRowid, r.body);
                            }
                        }
                        case "delete" -> {
                            if (r.targetRowid != null) {
                                drop.setLong(1, r.targetRowid);
                                drop.executeUpdate();
                            }
                        }
                        default -> {
                        }
                    }
                }
                Row last = page.getLast();
                mark.setLong(1, last.rowid);
                mark.setString(2, last.conversationId);
                mark.setLong(3, last.seq);
                mark.executeUpdate();
            }
            index.commit();
            indexedUpTo = page.getLast().rowid;
        } catch (SQLException e) {
            try {
                index.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new StoreException("indexing for search failed", e);
        }
    }

    private static void put(PreparedStatement put, long rowid, String body) throws SQLException {
        put.setLong(1, rowid);
        put.setString(2, body);
        put.executeUpdate();
    }

    private void runIndexer() {
        long backOffMs = INTERVAL_MS;
        while (!closed) {
            try {
                TimeUnit.MILLISECONDS.sleep(backOffMs);
                catchUp();
                backOffMs = INTERVAL_MS;
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

    /**
     * The high-water mark, after checking that the index belongs to this log: the entry it names must still be
     * at that rowid. If not (another log, or rowids renumbered), the index is emptied and rebuilt from the start.
     */
    private long loadHighWaterMark() throws SQLException {
        long rowid;
        String conversationId;
        long seq;
        try (Statement s = index.createStatement();
             ResultSet rs = s.executeQuery("SELECT log_rowid, conversation_id, seq FROM index_state WHERE id = 1")) {
            rs.next();
            rowid = rs.getLong(1);
            conversationId = rs.getString(2);
            seq = rs.getLong(3);
        }
        if (rowid == 0) {
            return 0;
        }
        boolean matches = log.read("search index check", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT conversation_id, seq FROM entries WHERE rowid = ?")) {
                ps.setLong(1, rowid);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1).equals(conversationId) && rs.getLong(2) == seq;
                }
            }
        });
        if (matches) {
            return rowid;
        }
        LOG.warn("search index {} does not match the log; rebuilding it", file);
        try (Statement s = index.createStatement()) {
            s.execute("DELETE FROM search_text");
            s.execute("UPDATE index_state SET log_rowid = 0, conversation_id = NULL, seq = NULL WHERE id = 1");
        }
        index.commit();
        return 0;
    }

    private static Connection openIndex(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // Derived data with its high-water mark in the same transaction: a commit lost in a power cut is redone
        // from the log, so the index file needs no fsync per commit.
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        SqliteDialect.noGeneratedKeys(config);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
        try (Statement s = c.createStatement()) {
            int layout;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                layout = rs.next() ? rs.getInt(1) : 0;
            }
            if (layout != LAYOUT) {
                if (layout != 0) {
                    LOG.info("search index {} has layout {}; rebuilding it from the log as layout {}", file, layout,
                            LAYOUT);
                }
                // Layout 1 also had search_rows, which gave each message an id of the index's own.
                s.execute("DROP TABLE IF EXISTS search_text");
                s.execute("DROP TABLE IF EXISTS search_rows");
                s.execute("DROP TABLE IF EXISTS index_state");
                // unicode61: words are runs of letters and digits in any script, case-folded, diacritics
                // removed (so "Munchen" finds "München"); no stemming, as PostgreSQL's 'simple' configuration.
                s.execute("CREATE VIRTUAL TABLE search_text USING fts5(body,"
                        + " tokenize = 'unicode61 remove_diacritics 2')");
                s.execute("""
                        CREATE TABLE index_state (
                            id              INTEGER PRIMARY KEY CHECK (id = 1),
                            log_rowid       INTEGER NOT NULL,
                            conversation_id TEXT,
                            seq             INTEGER)""");
                s.execute("INSERT INTO index_state (id, log_rowid) VALUES (1, 0)");
                s.execute("PRAGMA user_version = " + LAYOUT);
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        c.setAutoCommit(false);
        return c;
    }

    /** Read-only connections to the log with the index file attached as {@code idx}. */
    private static HikariDataSource openSearches(Path logFile, Path indexFile) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        config.setReadOnly(true);
        config.enforceForeignKeys(true);
        SqliteDialect.noGeneratedKeys(config);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("parley-sqlite-search");
        hikari.setReadOnly(true);
        hikari.setJdbcUrl("jdbc:sqlite:" + logFile);
        hikari.setDataSourceProperties(config.toProperties());
        hikari.setConnectionInitSql("ATTACH DATABASE '" + indexFile.toString().replace("'", "''") + "' AS idx");
        hikari.setMaximumPoolSize(4);
        hikari.setMinimumIdle(1);
        return new HikariDataSource(hikari);
    }

    @Override
    public void close() {
        closed = true;
        indexer.interrupt();
        try {
            indexer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            searches.close();
            try {
                index.close();
            } catch (SQLException e) {
                LOG.warn("closing the search index: {}", e.toString());
            }
        }
    }

    private record Row(long rowid, String conversationId, long seq, String kind, String body, boolean deleted,
                       boolean e2ee, Long targetRowid, String targetKind, boolean targetDeleted) {
    }
}
