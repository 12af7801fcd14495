package dev.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.sqlite.SqliteDialect;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's batching, made deterministic: a first write holds the writer until every other write is
 * queued, so they are all applied in one batch.
 */
class GroupCommitTest {
    @TempDir
    Path dir;
    private Database db;
    private JdbcMessageStore store;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void open() {
        StoreOptions options = new StoreOptions(2, 256, true);
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

    /** Returns once the writer is inside a write that waits for {@link #release}, alone in its batch. */
    private CompletableFuture<Object> holdWriter() {
        return WriterHold.hold(db, release);
    }

    @Test
    void aFailingWriteInABatchFailsAloneAndItsPartialWritesAreRolledBack() {
        CompletableFuture<Object> hold = holdWriter();
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            appends.add(store.append(text("c-" + i)));
        }
        CompletableFuture<Object> broken = db.write(new WriteOp.InTransaction<>("broken write", tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE conversations SET title = 'half done' WHERE id = 'cnv_1'")) {
                ps.executeUpdate();
            }
            throw new SQLException("boom");
        }));
        for (int i = 10; i < 20; i++) {
            appends.add(store.append(text("c-" + i)));
        }
        CompletableFuture<Optional<Watermarks>> move = store.moveWatermarks("cnv_1", "usr_b", 20, 5);

        release.countDown();

        assertThat(hold.join()).isNull();
        assertThatThrownBy(broken::join).hasCauseInstanceOf(StoreException.class)
                .hasRootCauseMessage("boom");
        assertThat(appends).extracting(f -> f.join().entry().seq())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(move.join()).contains(new Watermarks("cnv_1", "usr_b", 20, 5));
        assertThat(store.findConversation("cnv_1").orElseThrow().title()).isNull();
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(20);
    }

    @Test
    void aBatchAbortedForADeadlockRunsAgainWholeAndEveryWriteCommitsOnce() {
        CompletableFuture<Object> hold = holdWriter();
        List<CompletableFuture<Appended>> appends = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            appends.add(store.append(text("d-" + i)));
        }
        AtomicInteger runs = new AtomicInteger();
        // What PostgreSQL answers the victim of a deadlock between two nodes' writers, the first two times.
        CompletableFuture<Object> victim = db.write(new WriteOp.InTransaction<>("deadlocked write", tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE conversations SET title = 'renamed' WHERE id = 'cnv_1'")) {
                ps.executeUpdate();
            }
            if (runs.incrementAndGet() <= 2) {
                throw new SQLException("deadlock detected", "40P01");
            }
            return "done";
        }));
        for (int i = 5; i < 10; i++) {
            appends.add(store.append(text("d-" + i)));
        }

        release.countDown();

        assertThat(hold.join()).isNull();
        assertThat(victim.join()).isEqualTo("done");
        assertThat(runs).hasValue(3);
        assertThat(appends).extracting(f -> f.join().entry().seq())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(store.findConversation("cnv_1").orElseThrow().title()).isEqualTo("renamed");
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(10);
        assertThat(store.entriesAfter("cnv_1", 0, 100)).hasSize(10);
    }

    @Test
    void aWriteThatKeepsConflictingFailsAloneAfterItsRetries() {
        CompletableFuture<Object> hold = holdWriter();
        CompletableFuture<Appended> before = store.append(text("e-0"));
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Object> stuck = db.write(new WriteOp.InTransaction<>("always conflicting", tx -> {
            runs.incrementAndGet();
            throw new SQLException("could not serialize access", "40001");
        }));
        CompletableFuture<Appended> after = store.append(text("e-1"));

        release.countDown();

        assertThat(hold.join()).isNull();
        assertThatThrownBy(stuck::join).hasCauseInstanceOf(StoreException.class)
                .hasRootCauseMessage("could not serialize access");
        // The batch ran 1 + CONFLICT_RETRIES times, then each write alone: this one again, 1 + CONFLICT_RETRIES.
        assertThat(runs).hasValue(2 * (1 + Writer.CONFLICT_RETRIES));
        assertThat(before.join().entry().seq()).isEqualTo(1);
        assertThat(after.join().entry().seq()).isEqualTo(2);
    }

    @Test
    void onlyDeadlocksAndSerializationFailuresCountAsConflicts() {
        assertThat(Writer.isConflict(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(Writer.isConflict(new SQLException("could not serialize access", "40001"))).isTrue();
        assertThat(Writer.isConflict(new StoreException("wrapped", new SQLException("x", "40P01")))).isTrue();
        assertThat(Writer.isConflict(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(Writer.isConflict(new SQLException("boom"))).isFalse();
        assertThat(Writer.isConflict(new IllegalStateException("no SQL state"))).isFalse();
    }

    @Test
    void watermarkMovesInTheSameBatchAsAppendsAreCappedAtTheNewLastSeq() {
        holdWriter();
        CompletableFuture<Optional<Watermarks>> early = store.moveWatermarks("cnv_1", "usr_b", 100, 0);
        for (int i = 0; i < 5; i++) {
            store.append(text("c-" + i));
        }
        CompletableFuture<Optional<Watermarks>> late = store.moveWatermarks("cnv_1", "usr_b", 0, 3);
        CompletableFuture<Optional<Watermarks>> backwards = store.moveWatermarks("cnv_1", "usr_b", 1, 1);

        release.countDown();

        assertThat(early.join()).contains(new Watermarks("cnv_1", "usr_b", 5, 0));
        assertThat(late.join()).contains(new Watermarks("cnv_1", "usr_b", 5, 3));
        assertThat(backwards.join()).isEmpty();
    }

    @Test
    void aConversationCreatedInTheBatchTakesAppendsQueuedAfterIt() {
        holdWriter();
        CompletableFuture<Appended> before = store.append(text("cnv_2", "c-0"));
        CompletableFuture<Conversation> created = CompletableFuture.supplyAsync(() -> store.createConversation(
                new Conversation("cnv_2", ConversationKind.GROUP, null, false, 0, "usr_a", null, 0, List.of("usr_a"))));
        // createConversation blocks its caller; wait until it is queued behind the held write.
        org.awaitility.Awaitility.await().until(() -> queued() >= 2);
        CompletableFuture<Appended> after = store.append(text("cnv_2", "c-1"));

        release.countDown();

        assertThat(created.join().lastSeq()).isZero();
        assertThatThrownBy(before::join).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(after.join().entry().seq()).isEqualTo(1);
    }

    private int queued() {
        return db.queuedWrites();
    }

    private static NewEntry text(String clientMsgId) {
        return text("cnv_1", clientMsgId);
    }

    private static NewEntry text(String conversationId, String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, conversationId, "msg_" + clientMsgId, 1L).from("usr_a", "dev_a")
                .clientMsgId(clientMsgId).body("body").build();
    }
}
