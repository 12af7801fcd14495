package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.TestClock;
import dev.parley.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The receipt coalescer without sockets: a recording store, a hand-moved clock and timers. */
class WatermarkCoalescerTest {
    private static final String CONV = "cnv_1";
    private final TestClock clock = new TestClock();
    private final Timers timers = new Timers();
    private final RecordingStore store = new RecordingStore();
    private final WatermarkCoalescer coalescer = new WatermarkCoalescer(store, timers, clock);
    private final RecordingAnswers answers = new RecordingAnswers();
    private final WatermarkCoalescer.Source bob = new WatermarkCoalescer.Source("con_1", new Caller("usr_b", "dev_b"),
            Runnable::run, answers);

    @Test
    void aBurstOfFiveThousandFramesBecomesAFewWritesEndingAtTheHighestSeqWithoutMovingBack() {
        long start = clock.millis();
        long maxRead = 0;
        long maxDelivered = 0;
        for (int i = 0; i < 5_000; i++) {
            // Seqs wander up and down, as frames from several views of one conversation would.
            long seq = i / 2 + (i % 3 == 0 ? 0 : -7);
            seq = Math.max(0, seq);
            if (i % 2 == 0) {
                coalescer.read(bob, CONV, seq, i % 100 == 0 ? "r" + i : null);
                maxRead = Math.max(maxRead, seq);
            } else {
                coalescer.delivered(bob, CONV, seq, null);
            }
            maxDelivered = Math.max(maxDelivered, seq);
            if (i % 10 == 9) {
                timers.advance(1); // the burst takes 500 ms
            }
        }
        long elapsed = clock.millis() - start;
        timers.advance(1_000);
        assertThat(store.writes).hasSizeLessThanOrEqualTo((int) (elapsed / WatermarkCoalescer.WINDOW_MS) + 2);
        assertThat(store.writes).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 1; i < store.writes.size(); i++) {
            assertThat(store.writes.get(i).read()).isGreaterThanOrEqualTo(store.writes.get(i - 1).read());
            assertThat(store.writes.get(i).delivered()).isGreaterThanOrEqualTo(store.writes.get(i - 1).delivered());
        }
        assertThat(store.read).isEqualTo(maxRead);
        assertThat(store.delivered).isEqualTo(maxDelivered);
        assertThat(answers.ok).hasSize(50).doesNotHaveDuplicates();
        assertThat(answers.failed).isEmpty();
        assertThat(coalescer.held()).isZero();
    }

    @Test
    void aLoneFrameIsWrittenAtOnce() {
        coalescer.read(bob, CONV, 3, "r1");
        assertThat(store.writes).containsExactly(new Write(CONV, 3, 3));
        assertThat(answers.ok).containsExactly("r1");
    }

    @Test
    void framesArrivingWhileAWriteIsInFlightGoOutAsOneWriteOnceItIsDurable() {
        store.hold = true;
        coalescer.delivered(bob, CONV, 1, "d1");
        timers.advance(5_000);
        for (int i = 2; i <= 1_000; i++) {
            coalescer.read(bob, CONV, i, i == 1_000 ? "r" + i : null);
        }
        timers.advance(5_000);
        assertThat(store.writes).hasSize(1);
        assertThat(answers.ok).isEmpty();
        store.hold = false;
        store.completeHeld();
        assertThat(answers.ok).containsExactly("d1");
        timers.advance(0);
        assertThat(store.writes).containsExactly(new Write(CONV, 1, 0), new Write(CONV, 1_000, 1_000));
        assertThat(answers.ok).containsExactly("d1", "r1000");
    }

    @Test
    void overTheBudgetTheWatermarkIsKeptAndWrittenWhenTheBudgetRefills() {
        coalescer.read(bob, CONV, 1, null);
        store.refuseFor = 2;
        timers.advance(10);
        coalescer.read(bob, CONV, 5, "r5");
        coalescer.delivered(bob, CONV, 9, null);
        timers.advance(WatermarkCoalescer.WINDOW_MS);
        assertThat(store.writes).hasSize(1);   // refused: over budget
        timers.advance(RecordingStore.RETRY_MS);
        assertThat(store.writes).hasSize(1);   // refused again
        assertThat(answers.ok).isEmpty();
        timers.advance(RecordingStore.RETRY_MS);
        assertThat(store.writes).containsExactly(new Write(CONV, 1, 1), new Write(CONV, 9, 5));
        assertThat(answers.ok).containsExactly("r5");
        assertThat(answers.failed).isEmpty();
    }

    @Test
    void tooManyFramesWaitingForAnAnswerAreRefusedRateLimitedAndNotMerged() {
        store.hold = true;
        coalescer.read(bob, CONV, 1, "first");
        for (int i = 0; i < WatermarkCoalescer.MAX_UNANSWERED; i++) {
            coalescer.read(bob, CONV, 2, "w" + i);
        }
        assertThatThrownBy(() -> coalescer.read(bob, CONV, 99, "one-too-many"))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfterMs()).isPositive();
                });
        coalescer.read(bob, CONV, 3, null); // frames nobody waits on are still merged
        store.hold = false;
        store.completeHeld();
        timers.advance(WatermarkCoalescer.WINDOW_MS);
        assertThat(store.writes).containsExactly(new Write(CONV, 1, 1), new Write(CONV, 3, 3));
        assertThat(answers.ok).hasSize(WatermarkCoalescer.MAX_UNANSWERED + 1);
    }

    @Test
    void aFailedWriteAnswersEveryWaitingFrameWithItsError() {
        store.failure = () -> ChatException.notFound("conversation");
        coalescer.read(bob, CONV, 4, "r4");
        coalescer.read(bob, CONV, 5, null);
        assertThat(answers.failed).containsExactly("r4");
        timers.advance(WatermarkCoalescer.WINDOW_MS);
        assertThat(answers.failed).containsExactly("r4", null); // a frame without id still hears of it
        timers.advance(WatermarkCoalescer.WINDOW_MS);
        assertThat(coalescer.held()).isZero();
    }

    @Test
    void eachConnectionIsMergedOnItsOwn() {
        store.hold = true;
        var phone = new WatermarkCoalescer.Source("con_2", bob.caller(), Runnable::run, answers);
        coalescer.read(bob, CONV, 2, null);
        coalescer.read(phone, CONV, 3, null);
        coalescer.read(bob, "cnv_2", 1, null);
        assertThat(store.writes).containsExactly(new Write(CONV, 2, 2), new Write(CONV, 3, 3),
                new Write("cnv_2", 1, 1));
    }

    @Test
    void seqZeroFramesAreAnsweredWithoutAWrite() {
        coalescer.delivered(bob, CONV, 0, "d0");
        assertThat(store.writes).isEmpty();
        assertThat(answers.ok).containsExactly("d0");
        timers.advance(WatermarkCoalescer.WINDOW_MS);
        assertThat(coalescer.held()).isZero();
    }

    record Write(String conversationId, long delivered, long read) {
    }

    /** Records every write and keeps the max, like the real store; can hold, refuse or fail writes. */
    private final class RecordingStore implements WatermarkCoalescer.Store {
        static final long RETRY_MS = 300;
        final List<Write> writes = new ArrayList<>();
        final List<CompletableFuture<Object>> held = new ArrayList<>();
        long delivered;
        long read;
        boolean hold;
        int refuseFor;
        Supplier<RuntimeException> failure;

        @Override
        public CompletableFuture<?> write(Caller caller, String conversationId, long deliveredSeq, long readSeq) {
            assertThat(caller.userId()).isEqualTo("usr_b");
            if (refuseFor > 0) {
                refuseFor--;
                throw new ChatException(ErrorCode.RATE_LIMITED, "over budget", RETRY_MS);
            }
            if (failure != null) {
                throw failure.get();
            }
            writes.add(new Write(conversationId, deliveredSeq, readSeq));
            delivered = Math.max(delivered, Math.max(deliveredSeq, readSeq));
            read = Math.max(read, readSeq);
            CompletableFuture<Object> f = new CompletableFuture<>();
            if (hold) {
                held.add(f);
            } else {
                f.complete(null);
            }
            return f;
        }

        void completeHeld() {
            List<CompletableFuture<Object>> now = new ArrayList<>(held);
            held.clear();
            now.forEach(f -> f.complete(null));
        }
    }

    private static final class RecordingAnswers implements WatermarkCoalescer.Answers {
        final List<String> ok = new ArrayList<>();
        final List<String> failed = new ArrayList<>();

        @Override
        public void ok(String id) {
            ok.add(id);
        }

        @Override
        public void failed(String id, Throwable failure) {
            failed.add(id);
        }
    }

    /** Timers on the test clock: {@link #advance} moves it and runs what fell due, in order. */
    private final class Timers implements WatermarkCoalescer.Timer {
        private record Due(long atMs, long order, Runnable task) {
        }

        private final PriorityQueue<Due> queue = new PriorityQueue<>(Comparator.comparingLong(Due::atMs)
                .thenComparingLong(Due::order));
        private long order;

        @Override
        public void after(long delayMs, Runnable task) {
            queue.add(new Due(clock.millis() + delayMs, order++, task));
        }

        void advance(long ms) {
            long until = clock.millis() + ms;
            while (!queue.isEmpty() && queue.peek().atMs() <= until) {
                Due d = queue.poll();
                clock.advance(Math.max(0, d.atMs() - clock.millis()));
                d.task().run();
            }
            clock.advance(Math.max(0, until - clock.millis()));
        }
    }
}
