package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.sqlite.SqliteSearchIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite search index lives in its own file, filled from the log after commits ({@link SqliteSearchIndex}):
 * what the contract tests cannot see, namely the file's life across restarts, its rebuild, and the background
 * indexer that keeps it current without any search asking.
 */
class SqliteSearchIndexFileTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;
    private final AtomicLong ids = new AtomicLong();

    @Test
    void theIndexIsItsOwnFileAndTheBackgroundIndexerKeepsItCurrentWithoutASearch() throws Exception {
        Path log = dir.resolve("parley.db");
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            group(stores, "cnv_1", "usr_a");
            for (int i = 0; i < 50; i++) {
                send(stores, "cnv_1", "usr_a", "walrus number " + i);
            }
            long newest = newestLogRowid(log);
            Path index = SqliteSearchIndex.fileFor(log);
            assertThat(index.getFileName().toString()).isEqualTo("parley-search.db");
            // No search runs here: only the background indexer can move the mark (bounded wait, not a timing).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (indexedUpTo(index) < newest && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(indexedUpTo(index)).isEqualTo(newest);
            assertThat(hits(stores, "walrus")).hasSize(50);
        }
        // The log itself holds no index any more (migration V18 dropped the triggers and tables).
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + log);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name LIKE 'search%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void afterARestartTheIndexResumesWithoutLosingOrDoublingAnything() {
        Path log = dir.resolve("parley.db");
        long edited;
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            group(stores, "cnv_1", "usr_a");
            send(stores, "cnv_1", "usr_a", "otter before restart");
            edited = send(stores, "cnv_1", "usr_a", "otter to be edited");
            assertThat(hits(stores, "otter")).hasSize(2);
        }
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            append(stores, change("cnv_1", "usr_a", EntryKind.EDIT, edited, "beaver after restart"));
            send(stores, "cnv_1", "usr_a", "otter after restart");

            assertThat(hits(stores, "otter")).extracting(SearchHit::snippet)
                    .containsExactlyInAnyOrder("otter before restart", "otter after restart");
            assertThat(hits(stores, "beaver")).singleElement().extracting(SearchHit::seq).isEqualTo(edited);
        }
    }

    @Test
    void aMissingOrForeignIndexFileIsRebuiltFromTheLog() throws Exception {
        Path log = dir.resolve("parley.db");
        Path other = dir.resolve("other/parley.db");
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            group(stores, "cnv_1", "usr_a");
            send(stores, "cnv_1", "usr_a", "heron one");
            long gone = send(stores, "cnv_1", "usr_a", "heron two");
            append(stores, change("cnv_1", "usr_a", EntryKind.DELETE, gone, null));
            assertThat(hits(stores, "heron")).hasSize(1);
        }
        try (Stores stores = Stores.sqlite(other, StoreOptions.defaults())) {
            group(stores, "cnv_9", "usr_z");
            for (int i = 0; i < 5; i++) {
                send(stores, "cnv_9", "usr_z", "pelican " + i);
            }
            assertThat(hits(stores, "pelican")).hasSize(5);
        }

        // Removed: rebuilt from the log on the next start.
        removeIndexFiles(log);
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            assertThat(hits(stores, "heron")).extracting(SearchHit::snippet).containsExactly("heron one");
        }

        // Another log's index put in its place: its mark names an entry this log does not have there.
        removeIndexFiles(log);
        Files.copy(SqliteSearchIndex.fileFor(other), SqliteSearchIndex.fileFor(log));
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            assertThat(hits(stores, "pelican")).isEmpty();
            assertThat(hits(stores, "heron")).extracting(SearchHit::snippet).containsExactly("heron one");
        }
    }

    @Test
    void entriesIndexedAgainKeepOneRowEachWithTheirNewestText() throws Exception {
        Path log = dir.resolve("parley.db");
        long edited;
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            group(stores, "cnv_1", "usr_a");
            send(stores, "cnv_1", "usr_a", "ibis one");
            edited = send(stores, "cnv_1", "usr_a", "ibis two");
            append(stores, change("cnv_1", "usr_a", EntryKind.EDIT, edited, "ibis two, edited"));
            assertThat(hits(stores, "ibis")).hasSize(2);
        }
        // The mark moved back to the start, as a page whose commit was lost is found again: every entry is indexed
        // a second time over the rows already there.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchIndex.fileFor(log));
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE index_state SET log_rowid = 0, conversation_id = NULL, seq = NULL WHERE id = 1");
        }
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            assertThat(hits(stores, "ibis")).extracting(SearchHit::snippet)
                    .containsExactlyInAnyOrder("ibis one", "ibis two, edited");
            assertThat(hits(stores, "edited")).singleElement().extracting(SearchHit::seq).isEqualTo(edited);
            send(stores, "cnv_1", "usr_a", "ibis three");
            assertThat(hits(stores, "ibis")).hasSize(3);
        }
    }

    @Test
    void aDeleteTakesItsTargetsTextOutOfTheIndexFileAndAnEditReplacesIt() throws Exception {
        Path log = dir.resolve("parley.db");
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            group(stores, "cnv_1", "usr_a");
            send(stores, "cnv_1", "usr_a", "plover kept");
            long gone = send(stores, "cnv_1", "usr_a", "plover gone");
            long edited = send(stores, "cnv_1", "usr_a", "plover before");
            append(stores, change("cnv_1", "usr_a", EntryKind.DELETE, gone, null));
            append(stores, change("cnv_1", "usr_a", EntryKind.EDIT, edited, "plover after"));
            assertThat(hits(stores, "plover")).extracting(SearchHit::snippet)
                    .containsExactlyInAnyOrder("plover kept", "plover after");
            // Not only hidden by the search's own check of the log: the index file holds no other text.
            List<String> bodies = new ArrayList<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchIndex.fileFor(log));
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT body FROM search_text")) {
                while (rs.next()) {
                    bodies.add(rs.getString(1));
                }
            }
            assertThat(bodies).containsExactlyInAnyOrder("plover kept", "plover after");
        }
    }

    @Test
    void anIndexFileOfTheFirstLayoutIsRebuiltKeyedByTheLogsRowids() throws Exception {
        Path log = dir.resolve("parley.db");
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            group(stores, "cnv_1", "usr_a");
            send(stores, "cnv_1", "usr_a", "kestrel one");
            send(stores, "cnv_1", "usr_a", "kestrel two");
        }
        // What an older server left: layout 1, with its own id table and a mark that matches the log.
        removeIndexFiles(log);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchIndex.fileFor(log));
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE search_rows (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL,"
                    + " seq INTEGER NOT NULL, UNIQUE (conversation_id, seq))");
            s.execute("CREATE VIRTUAL TABLE search_text USING fts5(body)");
            s.execute("CREATE TABLE index_state (id INTEGER PRIMARY KEY, log_rowid INTEGER NOT NULL,"
                    + " conversation_id TEXT, seq INTEGER)");
            s.execute("INSERT INTO search_rows (id, conversation_id, seq) VALUES (7, 'cnv_1', 2)");
            s.execute("INSERT INTO search_text (rowid, body) VALUES (7, 'stale text')");
            s.execute("INSERT INTO index_state VALUES (1, " + newestLogRowid(log) + ", 'cnv_1', 2)");
            s.execute("PRAGMA user_version = 1");
        }
        try (Stores stores = Stores.sqlite(log, StoreOptions.defaults())) {
            assertThat(hits(stores, "stale")).isEmpty();
            assertThat(hits(stores, "kestrel")).extracting(SearchHit::snippet)
                    .containsExactlyInAnyOrder("kestrel one", "kestrel two");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchIndex.fileFor(log));
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'search_rows'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            // Each indexed message's row is its log rowid.
            try (ResultSet rs = s.executeQuery("SELECT max(rowid) FROM search_text")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(newestLogRowid(log));
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static void removeIndexFiles(Path log) throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(SqliteSearchIndex.fileFor(log) + suffix));
        }
    }

    private static long newestLogRowid(Path log) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + log);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(rowid) FROM entries")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long indexedUpTo(Path index) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + index);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT log_rowid FROM index_state WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<SearchHit> hits(Stores stores, String text) {
        return stores.search().search("usr_" + (text.equals("pelican") ? "z" : "a"), SearchQuery.parse(text), null, 100);
    }

    private void group(Stores stores, String id, String creator) {
        stores.messages().createConversation(new Conversation(id, ConversationKind.GROUP, "Title of " + id, false, 0, creator, null,
                T0, List.of(creator)));
    }

    private long send(Stores stores, String conversationId, String senderId, String body) {
        return append(stores, NewEntry.of(EntryKind.TEXT, conversationId, id("msg"), T0 + ids.get())
                .from(senderId, "dev_" + senderId).clientMsgId(id("c")).body(body).build());
    }

    private NewEntry change(String conversationId, String senderId, EntryKind kind, long target, String body) {
        return NewEntry.of(kind, conversationId, id("msg"), T0 + ids.get()).from(senderId, "dev_" + senderId)
                .clientMsgId(id("c")).body(body).target(target).build();
    }

    private static long append(Stores stores, NewEntry e) {
        try {
            return stores.messages().append(e).get(30, TimeUnit.SECONDS).entry().seq();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String id(String prefix) {
        return prefix + "_" + ids.incrementAndGet();
    }
}
