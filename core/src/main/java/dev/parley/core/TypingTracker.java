package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Typing state per (conversation, user), never stored. Repeated {@code start}s are coalesced into one
 * event; a {@code start} not refreshed within the timeout, or followed by a message from the same user,
 * ends with a {@code stop} so no indicator is left on forever.
 */
public final class TypingTracker implements AutoCloseable {
    public static final String START = "start";
    public static final String STOP = "stop";

    private final EventBus bus;
    private final Clock clock;
    private final long timeoutMs;
    private final Map<Key, Long> expiresAt = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    public TypingTracker(EventBus bus, Clock clock, long timeoutMs) {
        this.bus = bus;
        this.clock = clock;
        this.timeoutMs = timeoutMs;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-typing");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, timeoutMs / 6);
        sweeper.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    public void start(String conversationId, String userId) {
        Key key = new Key(conversationId, userId);
        Long previous = expiresAt.put(key, clock.millis() + timeoutMs);
        if (previous == null) {
            publish(key, START);
        }
    }

    public void stop(String conversationId, String userId) {
        Key key = new Key(conversationId, userId);
        if (expiresAt.remove(key) != null) {
            publish(key, STOP);
        }
    }

    /** Expires starts that were not refreshed in time; runs on the sweeper thread (and in tests). */
    void expire() {
        long now = clock.millis();
        for (var e : expiresAt.entrySet()) {
            if (e.getValue() <= now && expiresAt.remove(e.getKey(), e.getValue())) {
                publish(e.getKey(), STOP);
            }
        }
    }

    private void publish(Key key, String state) {
        bus.publish(EventBus.conversationTopic(key.conversationId),
                new BusEvent.Typing(key.conversationId, key.userId, state));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    private record Key(String conversationId, String userId) {
    }
}
