package dev.parley.server.backplane;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Session snapshots of a single node, in memory (lost on restart, like the node's sockets). */
public final class InMemorySessionSnapshots implements SessionSnapshots {
    private record Saved(String value, long expiresAtMs) {
    }

    private final Map<String, Saved> saved = new ConcurrentHashMap<>();
    private final AtomicLong saves = new AtomicLong();
    private final Clock clock;

    public InMemorySessionSnapshots(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<String> load(String key) {
        Saved s = saved.get(key);
        if (s == null) {
            return Optional.empty();
        }
        if (clock.millis() >= s.expiresAtMs()) {
            saved.remove(key, s);
            return Optional.empty();
        }
        return Optional.of(s.value());
    }

    @Override
    public void save(String key, String value, Duration ttl) {
        long now = clock.millis();
        saved.put(key, new Saved(value, now + Math.max(1, ttl.toMillis())));
        if (saves.incrementAndGet() % 1024 == 0) {
            saved.values().removeIf(s -> now >= s.expiresAtMs()); // expired ones nobody came back for
        }
    }

    @Override
    public void delete(String key) {
        saved.remove(key);
    }
}
