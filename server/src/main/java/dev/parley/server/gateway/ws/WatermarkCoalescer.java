package dev.parley.server.gateway.ws;

import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Merges each connection's {@code read} and {@code delivered} frames per conversation before they reach
 * the store, so a client that sends thousands of them costs a handful of writes.
 *
 * <p>The rules, per (connection, conversation):
 * <ul>
 *   <li>The first frame goes to the store at once: a lone receipt is not delayed.</li>
 *   <li>Frames that arrive while a write is in flight, or within {@link #WINDOW_MS} of the last write's
 *       start, are merged: only the highest delivered and read seq are kept, and they go out in one write
 *       when the window has passed and the previous write is durable. Watermarks only move forward (the
 *       store keeps the max), so merging never moves one back.</li>
 *   <li>A frame with an {@code id} is answered {@code ok} once the write that carries its watermark is
 *       durable. At most {@link #MAX_UNANSWERED} such frames wait at a time; one more is answered
 *       {@code rate_limited} and not merged.</li>
 *   <li>When the user's watermark budget is spent, the merged watermark is kept, not dropped, and written
 *       when the budget has refilled: nothing the client said is lost, and its waiting frames are answered
 *       then.</li>
 * </ul>
 * State is held only while a write is pending or its window is open, so idle connections cost nothing.
 * Pending watermarks are still written after their connection closes.
 */
final class WatermarkCoalescer {
    /** Minimum time between two writes for one connection and conversation. */
    static final long WINDOW_MS = 100;
    /** Frames with an id that may wait for their write, per connection and conversation. */
    static final int MAX_UNANSWERED = 256;

    /** Where merged watermarks go (the core). A {@code rate_limited} thrown here means "try again later". */
    interface Store {
        CompletableFuture<?> write(Caller caller, String conversationId, long deliveredSeq, long readSeq);
    }

    /** Where the answers to frames with an id go (the connection). */
    interface Answers {
        void ok(String id);

        /** A failure; {@code id} is null when no waiting frame carried one. */
        void failed(String id, Throwable failure);
    }

    /** Runs a task after a delay (a Vert.x timer in the gateway, a manual clock in tests). */
    interface Timer {
        void after(long delayMs, Runnable task);
    }

    /**
     * The connection a frame came from.
     *
     * @param lane runs this connection's follow-up work in order (its serial lane)
     */
    record Source(String connectionId, Caller caller, Executor lane, Answers answers) {
    }

    private final Store store;
    private final Timer timer;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();

    WatermarkCoalescer(Store store, Timer timer, Clock clock) {
        this.store = store;
        this.timer = timer;
        this.clock = clock;
    }

    /** A {@code delivered} frame. */
    void delivered(Source source, String conversationId, long seq, String id) {
        submit(source, conversationId, seq, 0, id);
    }

    /** A {@code read} frame (a read implies delivered). */
    void read(Source source, String conversationId, long seq, String id) {
        submit(source, conversationId, seq, seq, id);
    }

    /** (connection, conversation) pairs with a write pending or a window open; for tests. */
    int held() {
        return slots.size();
    }

    /**
     * Merges one frame; writes at once if nothing is in flight or waiting for this pair.
     *
     * @throws ChatException {@code rate_limited} if too many frames with an id are already waiting
     */
    private void submit(Source source, String conversationId, long delivered, long read, String id) {
        Key key = new Key(source.connectionId(), conversationId);
        long now = clock.millis();
        Batch[] batch = new Batch[1];
        boolean[] refused = new boolean[1];
        slots.compute(key, (k, s) -> {
            Slot slot = s == null ? new Slot(source) : s;
            if (id != null && slot.ids.size() >= MAX_UNANSWERED) {
                refused[0] = true;
                return slot;
            }
            slot.merge(delivered, read, id);
            if (!slot.inFlight && !slot.timerSet) {
                batch[0] = slot.take(now);
            }
            return slot;
        });
        if (refused[0]) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many read/delivered frames waiting for an answer",
                    WINDOW_MS);
        }
        if (batch[0] != null) {
            write(key, batch[0]);
        }
    }

    /** Sends one merged write to the store; runs on the connection's lane. */
    private void write(Key key, Batch batch) {
        if (batch.delivered == 0 && batch.read == 0) {
            // Only seq 0 frames: nothing to store, but their ids are answered.
            answer(batch, null);
            finished(key, batch.source);
            return;
        }
        CompletableFuture<?> durable;
        try {
            durable = store.write(batch.source.caller(), key.conversationId, batch.delivered, batch.read);
        } catch (ChatException e) {
            if (e.code() == ErrorCode.RATE_LIMITED) {
                // Over the watermark budget: keep everything and write it when the budget has refilled.
                slots.compute(key, (k, s) -> {
                    s.putBack(batch);
                    s.inFlight = false;
                    s.timerSet = true;
                    return s;
                });
                schedule(key, batch.source, Math.max(1, e.retryAfterMs()));
                return;
            }
            answer(batch, e);
            finished(key, batch.source);
            return;
        } catch (RuntimeException e) {
            answer(batch, e);
            finished(key, batch.source);
            return;
        }
        // The store completes on its writer thread: hop back to the lane before answering or writing again.
        durable.whenComplete((v, failure) -> batch.source.lane().execute(() -> {
            answer(batch, failure);
            finished(key, batch.source);
        }));
    }

    /** The write is done: the next one may go when the window since its start has passed. */
    private void finished(Key key, Source source) {
        long[] delay = new long[1];
        slots.compute(key, (k, s) -> {
            s.inFlight = false;
            s.timerSet = true;
            delay[0] = Math.max(0, s.lastWriteAtMs + WINDOW_MS - clock.millis());
            return s;
        });
        schedule(key, source, delay[0]);
    }

    private void schedule(Key key, Source source, long delayMs) {
        timer.after(delayMs, () -> source.lane().execute(() -> tick(key)));
    }

    /** The window has passed (or the budget refilled): write what was merged meanwhile, or forget the pair. */
    // runs on: the connection's lane, from a timer
    private void tick(Key key) {
        long now = clock.millis();
        Batch[] batch = new Batch[1];
        slots.compute(key, (k, s) -> {
            if (s == null) {
                return null;
            }
            s.timerSet = false;
            if (!s.pending()) {
                return null;
            }
            batch[0] = s.take(now);
            return s;
        });
        if (batch[0] != null) {
            write(key, batch[0]);
        }
    }

    private static void answer(Batch batch, Throwable failure) {
        Answers answers = batch.source.answers();
        if (failure == null) {
            batch.ids.forEach(answers::ok);
        } else if (batch.ids.isEmpty()) {
            answers.failed(null, failure);
        } else {
            batch.ids.forEach(id -> answers.failed(id, failure));
        }
    }

    private record Key(String connectionId, String conversationId) {
    }

    /** One write's worth of merged frames. */
    private record Batch(Source source, long delivered, long read, List<String> ids) {
    }

    /** A pair's merged frames and write state; only touched inside {@code slots.compute}. */
    private static final class Slot {
        final Source source;
        long delivered;
        long read;
        List<String> ids = new ArrayList<>();
        boolean inFlight;
        boolean timerSet;
        long lastWriteAtMs;

        Slot(Source source) {
            this.source = source;
        }

        void merge(long d, long r, String id) {
            delivered = Math.max(delivered, d);
            read = Math.max(read, r);
            if (id != null) {
                ids.add(id);
            }
        }

        boolean pending() {
            return delivered > 0 || read > 0 || !ids.isEmpty();
        }

        Batch take(long now) {
            Batch b = new Batch(source, delivered, read, ids);
            delivered = 0;
            read = 0;
            ids = new ArrayList<>();
            inFlight = true;
            lastWriteAtMs = now;
            return b;
        }

        void putBack(Batch b) {
            delivered = Math.max(delivered, b.delivered);
            read = Math.max(read, b.read);
            List<String> all = new ArrayList<>(b.ids);
            all.addAll(ids);
            ids = all;
        }
    }
}
