package dev.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.sqlite.SqliteDialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite writer keeps each conversation's {@code last_seq} in memory and inserts through kept
 * statements of fixed sizes: seqs stay gapless and right when the cache is wrong, when a batch spans
 * several statement sizes, and when a retried append sits in the middle of a large batch.
 */
class WriterSeqsTest {
    @TempDir
    Path dir;
    private Database db;
    private JdbcMessageStore store;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void open() {
        StoreOptions options = new StoreOptions(2, 512, true);
        db = Database.open(new SqliteDialect(dir.resolve("parley.db"), options), options);
        store = new JdbcMessageStore(db);
        store.createConversation(new Conversation("cnv_1", ConversationKind.GROUP, null, false, 0, "usr_a", null, 0,
                List.of("usr_a", "usr_b")));
    }

    @AfterEach
    void close() {
        release.countDown();
        db.close();
    }

    @Test
    void aLastSeqChangedBehindTheWriterIsReloadedInsteadOfReused() throws SQLException {
        for (int i = 0; i < 3; i++) {
            assertThat(store.append(text("cnv_1", "c-" + i)).join().entry().seq()).isEqualTo(i + 1);
        }
        // Someone else moves the counter (the writer's cached value is now 3, the file says 10).
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("parley.db"));
             Statement s = other.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.executeUpdate("UPDATE conversations SET last_seq = 10 WHERE id = 'cnv_1'");
        }

        Appended next = store.append(text("cnv_1", "c-3")).join();

        assertThat(next.entry().seq()).isEqualTo(11);
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(11);
        assertThat(store.append(text("cnv_1", "c-4")).join().entry().seq()).isEqualTo(12);
    }

    @Test
    void aBatchSpanningSeveralStatementSizesGetsGaplessSeqsPerConversation() throws SQLException {
        store.createConversation(new Conversation("cnv_2", ConversationKind.GROUP, null, false, 0, "usr_a", null, 0,
                List.of("usr_a")));
        holdWriter();
        List<CompletableFuture<Appended>> first = new ArrayList<>();
        List<CompletableFuture<Appended>> second = new ArrayList<>();
        for (int i = 0; i < 301; i++) { // 301 + 4 = 305 rows: 256 + 16 + 16 + 16 + 1
            first.add(store.append(text("cnv_1", "a-" + i)));
            if (i % 75 == 0) {
                second.add(store.append(text("cnv_2", "b-" + i)));
            }
        }

        release.countDown();

        assertThat(first).extracting(f -> f.join().entry().seq())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 301).boxed().toList());
        assertThat(second).extracting(f -> f.join().entry().seq()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(rows("cnv_1")).isEqualTo(301);
        assertThat(rows("cnv_2")).isEqualTo(5);
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(301);
    }

    @Test
    void aRetriedAppendInALargeBatchIsAnsweredWithTheStoredEntryAndTakesNoSeq() throws SQLException {
        Appended stored = store.append(text("cnv_1", "retried")).join();
        holdWriter();
        List<CompletableFuture<Appended>> fresh = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            fresh.add(store.append(text("cnv_1", "f-" + i)));
        }
        CompletableFuture<Appended> retry = store.append(text("cnv_1", "retried"));
        for (int i = 100; i < 200; i++) {
            fresh.add(store.append(text("cnv_1", "f-" + i)));
        }

        release.countDown();

        assertThat(retry.join().duplicate()).isTrue();
        assertThat(retry.join().entry().seq()).isEqualTo(stored.entry().seq());
        assertThat(fresh).extracting(f -> f.join().entry().seq())
                .containsExactlyElementsOf(LongStream.rangeClosed(2, 201).boxed().toList());
        assertThat(rows("cnv_1")).isEqualTo(201);
    }

    @Test
    void lookupsByTargetStillSearchAnIndexWithThePartialTargetIndex() throws SQLException {
        String plan = db.read("plan", c -> {
            StringBuilder all = new StringBuilder();
            for (String sql : List.of(
                    "SELECT seq FROM entries WHERE conversation_id = ? AND target = ? AND kind = 'reaction'"
                            + " AND sender_id = ? AND emoji = ? ORDER BY seq DESC LIMIT 1",
                    "SELECT seq FROM entries WHERE conversation_id = ? AND target = ? AND kind = 'edit'"
                            + " AND body IS NOT NULL")) {
                try (java.sql.PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
                    for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                        ps.setString(i, "x");
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            all.append(rs.getString(4)).append('\n');
                        }
                    }
                }
            }
            return all.toString();
        });
        // The reaction lookup (ORDER BY seq) is served by the primary key on conversation_id, as it was with
        // the full index; the edit eraser uses the partial index. Neither scans the table.
        assertThat(plan.lines()).hasSize(2).noneMatch(line -> line.startsWith("SCAN"));
        assertThat(plan.lines().toList().get(1)).contains("USING INDEX entries_target (conversation_id=? AND target=?)");
    }

    @Test
    void insertStatementsComeInAFewFixedSizes() {
        assertThat(WriteBatch.chunkFor(1000)).isEqualTo(256);
        assertThat(WriteBatch.chunkFor(255)).isEqualTo(64);
        assertThat(WriteBatch.chunkFor(16)).isEqualTo(16);
        assertThat(WriteBatch.chunkFor(3)).isEqualTo(1);
    }

    private long rows(String conversationId) throws SQLException {
        return db.read("count", c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM entries WHERE conversation_id = '"
                         + conversationId + "'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Returns once the writer is inside a write that waits for {@link #release}, alone in its batch. */
    private void holdWriter() {
        WriterHold.hold(db, release);
    }

    private static NewEntry text(String conversationId, String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, conversationId, "msg_" + conversationId + clientMsgId, 1L)
                .from("usr_a", "dev_a").clientMsgId(clientMsgId).body("body").build();
    }
}
