package dev.parley.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Turns keystrokes into few typing frames: at most one {@code start} per {@code interval} per conversation,
 * and a {@code stop} after {@code idle} without keystrokes or when the message is sent.
 */
final class TypingThrottle {
    private final Clock clock;
    private final Duration interval;
    private final Duration idle;
    private final ScheduledExecutorService timer;
    private final BiConsumer<String, Boolean> emit;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        long lastStartMs = Long.MIN_VALUE;
        boolean typing;
        ScheduledFuture<?> idleStop;
    }

    /** @param emit receives (conversationId, true for start / false for stop) */
    TypingThrottle(Clock clock, Duration interval, Duration idle, ScheduledExecutorService timer,
                   BiConsumer<String, Boolean> emit) {
        this.clock = clock;
        this.interval = interval;
        this.idle = idle;
        this.timer = timer;
        this.emit = emit;
    }

    /** The user typed something in the conversation. */
    void keystroke(String conversationId) {
        State s = states.computeIfAbsent(conversationId, k -> new State());
        boolean start;
        synchronized (s) {
            long now = clock.millis();
            start = !s.typing || s.lastStartMs == Long.MIN_VALUE || now - s.lastStartMs >= interval.toMillis();
            if (start) {
                s.lastStartMs = now;
            }
            s.typing = true;
            if (s.idleStop != null) {
                s.idleStop.cancel(false);
            }
            s.idleStop = timer.schedule(() -> stop(conversationId), idle.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (start) {
            emit.accept(conversationId, true);
        }
    }

    /** The user stopped typing (sent the message, cleared the field, left the conversation). */
    void stop(String conversationId) {
        State s = states.get(conversationId);
        if (s == null) {
            return;
        }
        boolean wasTyping;
        synchronized (s) {
            wasTyping = s.typing;
            s.typing = false;
            s.lastStartMs = Long.MIN_VALUE;
            if (s.idleStop != null) {
                s.idleStop.cancel(false);
                s.idleStop = null;
            }
        }
        if (wasTyping) {
            emit.accept(conversationId, false);
        }
    }
}
