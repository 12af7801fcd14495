package dev.parley.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.Stores;
import dev.parley.server.store.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The search queue of V19 and its drain: the writer's transaction only queues changes, and a search still finds
 * exactly what was appended before it, whichever node, order or failure drained the queue. Most tests stop the
 * store's background indexer and use an index that only searches drain, so what they see is the catch-up's doing.
 */
class PostgresSearchQueueTest {
    private static final long T0 = 1_700_000_000_000L;
    private TestDatabases.PostgresSchema schema;
    private final List<Stores> opened = new ArrayList<>();
    private final List<PostgresSearchIndex> indexes = new ArrayList<>();
    private Stores stores;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void open() {
        schema = TestDatabases.freshPostgresSchema();
        stores = node(false);
        stores.messages().createConversation(new Conversation("cnv_1", ConversationKind.GROUP, null, false, 0, "usr_a",
                null, T0, List.of("usr_a")));
        stores.messages().createConversation(new Conversation("cnv_e2ee", ConversationKind.GROUP, null, true, 0, "usr_a",
                null, T0, List.of("usr_a")));
    }

    @AfterEach
    void close() {
        indexes.forEach(PostgresSearchIndex::close);
        opened.forEach(Stores::close);
        if (schema != null) {
            schema.close();
        }
    }

    /** A node on the schema; its own background indexer stopped unless {@code background}. */
    private Stores node(boolean background) {
        Stores s = Stores.postgres(schema.url(), new StoreOptions(4, 256, true));
        opened.add(s);
        if (!background) {
            ((PostgresSearchIndex) s.search()).close();
        }
        return s;
    }

    /** An index over {@code s} that only searches and explicit calls drain. */
    private PostgresSearchIndex searchOnly(Stores s, int page) {
        PostgresSearchIndex index = new PostgresSearchIndex(s.database(), 0, page);
        indexes.add(index);
        return index;
    }

    @Test
    void aSearchRightAfterAppendsFindsThemAllThoughNothingDrainsInTheBackground() throws Exception {
        PostgresSearchIndex index = searchOnly(stores, 64);
        List<CompletableFuture<Appended>> pending = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            pending.add(stores.messages().append(text("cnv_1", "wombat number" + i)));
        }
        for (CompletableFuture<Appended> p : pending) {
            p.get(60, TimeUnit.SECONDS);
        }
        assertThat(count("SELECT count(*) FROM search_queue")).isEqualTo(500);
        assertThat(count("SELECT count(*) FROM search_text")).isZero(); // nothing indexed in the writer's transaction

        assertThat(index.search("usr_a", SearchQuery.parse("wombat"), null, 1000)).hasSize(500);
        assertThat(index.search("usr_a", SearchQuery.parse("wombat number499"), null, 10)).hasSize(1);
        assertThat(count("SELECT count(*) FROM search_queue")).isZero();
    }

    @Test
    void anEditThenASearchFindsOnlyTheNewTextAndADeleteRemovesIt() {
        PostgresSearchIndex index = searchOnly(stores, 2_000);
        long seq = append(text("cnv_1", "meet at the station"));
        assertThat(seqs(index, "station")).containsExactly(seq);

        append(change(EntryKind.EDIT, seq, "meet at the harbour"));
        assertThat(seqs(index, "station")).isEmpty();
        assertThat(seqs(index, "harbour")).containsExactly(seq);

        append(change(EntryKind.DELETE, seq, null));
        assertThat(seqs(index, "harbour")).isEmpty();
        assertThat(count("SELECT count(*) FROM search_text")).isZero();
    }

    @Test
    void endToEndEncryptedConversationsAreQueuedButNeverIndexed() {
        PostgresSearchIndex index = searchOnly(stores, 2_000);
        long seq = append(NewEntry.of(EntryKind.TEXT, "cnv_e2ee", "msg_" + ids.incrementAndGet(), T0)
                .from("usr_a", "dev_a").clientMsgId("c" + ids.get()).body("walrus").build());
        append(NewEntry.of(EntryKind.EDIT, "cnv_e2ee", "msg_" + ids.incrementAndGet(), T0).from("usr_a", "dev_a")
                .clientMsgId("c" + ids.get()).body("walrus again").target(seq).build());

        assertThat(index.search("usr_a", SearchQuery.parse("walrus"), null, 10)).isEmpty();
        assertThat(count("SELECT count(*) FROM search_queue")).isZero();
        assertThat(count("SELECT count(*) FROM search_text WHERE conversation_id = 'cnv_e2ee'")).isZero();
    }

    /**
     * The queue rows name messages, not texts: drained newest first, one row per transaction, a message, its edits
     * and its delete still end as the log says (a payload-replaying drain would resurrect the deleted message and
     * leave the first edit's text).
     */
    @Test
    void theQueueDrainedInReverseOrderEndsAsTheLogSays() throws Exception {
        PostgresSearchIndex index = searchOnly(stores, 1);
        long kept = append(text("cnv_1", "alpha"));
        append(change(EntryKind.EDIT, kept, "beta"));
        append(change(EntryKind.EDIT, kept, "gamma"));
        long gone = append(text("cnv_1", "delta"));
        append(change(EntryKind.EDIT, gone, "epsilon"));
        append(change(EntryKind.DELETE, gone, null));
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.executeUpdate("""
                    WITH old AS (DELETE FROM search_queue RETURNING id, conversation_id, seq)
                    INSERT INTO search_queue (conversation_id, seq)
                    SELECT conversation_id, seq FROM old ORDER BY id DESC""");
        }
        assertThat(count("SELECT count(*) FROM search_queue")).isEqualTo(6);

        assertThat(seqs(index, "gamma")).containsExactly(kept);
        for (String word : List.of("alpha", "beta", "delta", "epsilon")) {
            assertThat(seqs(index, word)).as(word).isEmpty();
        }
        assertThat(count("SELECT count(*) FROM search_text")).isEqualTo(1);
    }

    /** Two nodes draining at once, in the background and from searches: every queue row is indexed exactly once. */
    @Test
    void twoNodesDrainingConcurrentlyIndexEachChangeExactlyOnce() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            // Every insert attempted into search_text, also those that end as ON CONFLICT updates.
            s.execute("CREATE TABLE search_audit (conversation_id TEXT, seq BIGINT)");
            s.execute("""
                    CREATE FUNCTION audit_search() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO search_audit VALUES (NEW.conversation_id, NEW.seq);
                        RETURN NEW;
                    END $$""");
            s.execute("CREATE TRIGGER audit_search BEFORE INSERT ON search_text FOR EACH ROW"
                    + " EXECUTE FUNCTION audit_search()");
        }
        Stores second = node(true);
        PostgresSearchIndex one = searchOnly(stores, 50);
        PostgresSearchIndex two = new PostgresSearchIndex(second.database(), 5, 50);
        indexes.add(two);
        int messages = 3_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> drains = new ArrayList<>();
            List<CompletableFuture<Appended>> pending = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                Stores node = i % 2 == 0 ? stores : second;
                pending.add(node.messages().append(text("cnv_1", "koala " + i)));
                if (i % 500 == 0) {
                    drains.add(pool.submit(one::catchUp));
                    drains.add(pool.submit(two::catchUp));
                    drains.add(pool.submit(one::drainInBackground));
                }
            }
            for (CompletableFuture<Appended> p : pending) {
                p.get(60, TimeUnit.SECONDS);
            }
            for (Future<?> d : drains) {
                d.get(60, TimeUnit.SECONDS);
            }
            Future<List<SearchHit>> fromOne = pool.submit(() -> one.search("usr_a", SearchQuery.parse("koala"), null,
                    messages + 1));
            Future<List<SearchHit>> fromTwo = pool.submit(() -> two.search("usr_a", SearchQuery.parse("koala"), null,
                    messages + 1));
            assertThat(fromOne.get(60, TimeUnit.SECONDS)).hasSize(messages);
            assertThat(fromTwo.get(60, TimeUnit.SECONDS)).hasSize(messages);
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("SELECT count(*) FROM search_queue")).isZero();
        assertThat(count("SELECT count(*) FROM search_text")).isEqualTo(messages);
        assertThat(count("SELECT count(*) FROM search_audit")).isEqualTo(messages);
        assertThat(count("SELECT count(*) FROM (SELECT 1 FROM search_audit GROUP BY conversation_id, seq"
                + " HAVING count(*) > 1) twice")).isZero();
    }

    /** A drain that fails part-way through a page rolls back whole: the queue keeps every row, nothing is indexed. */
    @Test
    void anIndexerThatFailsMidPageLeavesTheQueueIntact() throws Exception {
        PostgresSearchIndex index = searchOnly(stores, 2_000);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.body LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned'; END IF;
                        RETURN NEW;
                    END $$""");
            s.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON search_text FOR EACH ROW"
                    + " EXECUTE FUNCTION refuse_poison()");
        }
        for (int i = 0; i < 10; i++) {
            append(text("cnv_1", i == 6 ? "poison ivy" : "emu " + i));
        }

        assertThatThrownBy(() -> index.search("usr_a", SearchQuery.parse("emu"), null, 50))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(index::drainInBackground).isInstanceOf(StoreException.class);
        assertThat(count("SELECT count(*) FROM search_queue")).isEqualTo(10);
        assertThat(count("SELECT count(*) FROM search_text")).isZero();

        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER refuse_poison ON search_text");
        }
        assertThat(index.search("usr_a", SearchQuery.parse("emu"), null, 50)).hasSize(9);
        assertThat(seqs(index, "poison")).hasSize(1);
        assertThat(count("SELECT count(*) FROM search_queue")).isZero();
    }

    /**
     * A search waits for the drain another node is in the middle of; when that node dies (its connection ends, the
     * transaction with it), the rows it had taken are back in the queue and the waiting search indexes them itself.
     */
    @Test
    void aSearchWaitsForAnotherNodesDrainAndTakesOverWhenThatNodeDies() throws Exception {
        PostgresSearchIndex index = searchOnly(stores, 2_000);
        long seq = append(text("cnv_1", "platypus"));
        Connection otherNode = connect();
        int otherPid;
        try (Statement s = otherNode.createStatement()) {
            otherNode.setAutoCommit(false);
            s.executeQuery("SELECT id FROM search_indexer FOR UPDATE").close();
            assertThat(s.executeUpdate("DELETE FROM search_queue")).isEqualTo(1); // taken, not yet indexed
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                otherPid = rs.getInt(1);
            }
        }
        CompletableFuture<List<Long>> search = CompletableFuture.supplyAsync(() -> seqs(index, "platypus"));
        Thread.sleep(500);
        assertThat(search).isNotDone();

        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + otherPid + ")");
        }
        assertThat(search.get(30, TimeUnit.SECONDS)).containsExactly(seq);
        assertThat(count("SELECT count(*) FROM search_queue")).isZero();
        try {
            otherNode.close();
        } catch (SQLException ignored) {
            // terminated above
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private NewEntry text(String conversationId, String body) {
        int n = ids.incrementAndGet();
        return NewEntry.of(EntryKind.TEXT, conversationId, "msg_" + n, T0 + n).from("usr_a", "dev_a")
                .clientMsgId("c" + n).body(body).build();
    }

    private NewEntry change(EntryKind kind, long target, String body) {
        int n = ids.incrementAndGet();
        return NewEntry.of(kind, "cnv_1", "msg_" + n, T0 + n).from("usr_a", "dev_a").clientMsgId("c" + n)
                .body(body).target(target).build();
    }

    private long append(NewEntry e) {
        try {
            return stores.messages().append(e).get(30, TimeUnit.SECONDS).entry().seq();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static List<Long> seqs(PostgresSearchIndex index, String text) {
        return index.search("usr_a", SearchQuery.parse(text), null, 50).stream().map(SearchHit::seq).toList();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(schema.url());
    }

    private long count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
