package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox without sockets: a recording link stands in for the connection, the test answers by hand. */
class OutboxTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    LocalStore store;
    Callbacks callbacks;
    ScheduledExecutorService timer;
    final AtomicReference<RecordingLink> online = new AtomicReference<>();
    Outbox outbox;

    /** A link that records each request and lets the test answer it. */
    static final class RecordingLink implements RequestLink {
        record Sent(ClientFrame frame, CompletableFuture<ServerFrame> answer) {
        }

        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final AtomicInteger ids = new AtomicInteger();
        volatile boolean open = true;

        @Override
        public String newId() {
            return "r" + ids.incrementAndGet();
        }

        @Override
        public CompletableFuture<ServerFrame> request(ClientFrame frame, Duration timeout) {
            var f = new CompletableFuture<ServerFrame>();
            sent.add(new Sent(frame, f));
            return f;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void abort(String reason) {
            open = false;
        }

        List<String> clientMsgIds() {
            return sent.stream().map(s -> switch (s.frame()) {
                case ClientFrame.Send send -> send.clientMsgId();
                case ClientFrame.Edit e -> e.clientMsgId();
                case ClientFrame.Delete d -> d.clientMsgId();
                case ClientFrame.React r -> r.clientMsgId();
                default -> "?";
            }).toList();
        }

        void answerSent(int index, long seq) {
            var s = (ClientFrame.Send) sent.get(index).frame();
            sent.get(index).answer().complete(new ServerFrame.Sent(s.id(), s.conversationId(), s.clientMsgId(), seq,
                    1000 + seq, "msg_" + seq));
        }
    }

    @BeforeEach
    void start() {
        store = new LocalStore(dir.resolve("outbox.db"), false);
        callbacks = new Callbacks("outbox-test");
        timer = Executors.newSingleThreadScheduledExecutor();
        outbox = new Outbox(store, callbacks, Clock.systemUTC(), online::get, () -> "usr_me", timer, TIMEOUT, 4);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        callbacks.close();
        store.close();
    }

    private CompletableFuture<ChatMessage> queue(String conversationId, String clientMsgId) {
        return outbox.add(store.addToOutbox(conversationId, clientMsgId, EntryKind.TEXT, "body " + clientMsgId, null,
                null, List.of(), System.currentTimeMillis()));
    }

    @Test
    void aConversationsItemsGoOutInQueueOrderWithAtMostTheWindowInFlight() {
        for (int i = 1; i <= 6; i++) {
            queue("cnv_1", "m" + i);
        }
        RecordingLink link = new RecordingLink();
        online.set(link);
        outbox.pump();
        assertThat(link.clientMsgIds()).containsExactly("m1", "m2", "m3", "m4");
        link.answerSent(0, 1);
        assertThat(link.clientMsgIds()).containsExactly("m1", "m2", "m3", "m4", "m5");
        assertThat(outbox.size()).isEqualTo(5);
    }

    @Test
    void whatTheLastLinkLeftUnansweredGoesAgainOnTheNextWithTheSameClientMsgIds() {
        queue("cnv_1", "a");
        queue("cnv_1", "b");
        var done = queue("cnv_1", "c");
        RecordingLink first = new RecordingLink();
        online.set(first);
        outbox.pump();
        first.answerSent(0, 7);
        first.open = false;
        RecordingLink second = new RecordingLink();
        online.set(second);
        outbox.pump();
        assertThat(second.clientMsgIds()).containsExactly("b", "c");
        second.answerSent(1, 9);
        assertThat(done).isCompletedWithValueMatching(m -> m.seq() == 9 && m.tick() == Tick.SENT);
    }

    @Test
    void offlineNothingIsSentAndEverythingWaits() {
        queue("cnv_1", "x");
        outbox.pump();
        assertThat(outbox.size()).isEqualTo(1);
        assertThat(outbox.pending("cnv_1")).extracting(ChatMessage::tick).containsExactly(Tick.PENDING);
    }

    @Test
    void rateLimitedWaitsTheTimeItWasToldThenSendsOneAtATime() {
        for (int i = 1; i <= 3; i++) {
            queue("cnv_1", "m" + i);
        }
        RecordingLink link = new RecordingLink();
        online.set(link);
        outbox.pump();
        assertThat(link.sent).hasSize(3);
        link.sent.getFirst().answer().complete(new ServerFrame.Error("r1", ErrorCode.RATE_LIMITED, "slow down", 200L));
        outbox.pump();
        assertThat(link.sent).as("nothing before the wait is over").hasSize(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> link.sent.size() == 4);
        assertThat(link.clientMsgIds().get(3)).isEqualTo("m1");
        link.answerSent(3, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> link.sent.size() == 5);
        assertThat(link.clientMsgIds().subList(4, 5)).as("strict: one in flight").containsExactly("m2");
    }

    @Test
    void anItemRefusedForGoodFailsLeavesTheQueueAndDoesNotBlockTheNext() {
        var refused = queue("cnv_1", "bad");
        queue("cnv_1", "good");
        RecordingLink link = new RecordingLink();
        online.set(link);
        outbox.pump();
        link.sent.getFirst().answer().complete(ServerFrame.Error.of("r1", ErrorCode.FORBIDDEN, "not a member"));
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.exceptionNow()).isInstanceOf(ParleyException.class)
                .satisfies(e -> assertThat(((ParleyException) e).code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(store.outbox()).extracting(LocalStore.OutboxItem::clientMsgId).containsExactly("good");
        assertThat(outbox.size()).isEqualTo(1);
    }

    @Test
    void queuedChangesGoOutAsTheirOwnFramesAndLeaveWhenStored() {
        long now = System.currentTimeMillis();
        var edit = outbox.add(store.addChangeToOutbox("cnv_1", "e1", EntryKind.EDIT, "new text",
                new LocalStore.Change(3, null, null), now));
        var react = outbox.add(store.addChangeToOutbox("cnv_1", "r1", EntryKind.REACTION, null,
                new LocalStore.Change(3, "👍", false), now));
        outbox.add(store.addChangeToOutbox("cnv_1", "d1", EntryKind.DELETE, null,
                new LocalStore.Change(4, null, null), now));
        assertThat(outbox.pending("cnv_1")).as("changes are not pending messages").isEmpty();
        RecordingLink link = new RecordingLink();
        online.set(link);
        outbox.pump();
        assertThat(link.sent).extracting(RecordingLink.Sent::frame).satisfiesExactly(
                f -> assertThat(f).isEqualTo(new ClientFrame.Edit("r1", "cnv_1", 3L, "new text", "e1")),
                f -> assertThat(f).isEqualTo(new ClientFrame.React("r2", "cnv_1", 3L, "👍", false, "r1")),
                f -> assertThat(f).isEqualTo(new ClientFrame.Delete("r3", "cnv_1", 4L, "d1")));
        link.sent.get(0).answer().complete(ServerFrame.Ok.ofSeq("r1", 10));
        link.sent.get(1).answer().complete(ServerFrame.Ok.ofSeq("r2", 11));
        assertThat(edit).isCompletedWithValueMatching(m -> m.seq() == 10);
        assertThat(react).isCompletedWithValueMatching(m -> m.seq() == 11);
        assertThat(store.outbox()).extracting(LocalStore.OutboxItem::clientMsgId).containsExactly("d1");
    }

    @Test
    void aNewOutboxPicksUpWhatTheLastRunLeftInTheStore() {
        queue("cnv_1", "left-behind");
        Outbox next = new Outbox(store, callbacks, Clock.systemUTC(), online::get, () -> "usr_me", timer, TIMEOUT, 4);
        next.load();
        RecordingLink link = new RecordingLink();
        online.set(link);
        next.pump();
        assertThat(link.clientMsgIds()).containsExactly("left-behind");
    }
}
