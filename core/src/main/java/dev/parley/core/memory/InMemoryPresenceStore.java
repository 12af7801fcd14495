package dev.parley.core.memory;

import dev.parley.core.port.PresenceStore;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Presence for a single node: connections held in memory, last-seen times kept for the process lifetime. */
public final class InMemoryPresenceStore implements PresenceStore {
    private final Map<String, Set<String>> connections = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    @Override
    public boolean connected(String userId, String connectionId) {
        boolean[] first = new boolean[1];
        connections.compute(userId, (u, set) -> {
            Set<String> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            first[0] = s.isEmpty();
            s.add(connectionId);
            return s;
        });
        return first[0];
    }

    @Override
    public boolean disconnected(String userId, String connectionId, long nowMs) {
        boolean[] last = new boolean[1];
        connections.computeIfPresent(userId, (u, set) -> {
            boolean removed = set.remove(connectionId);
            last[0] = removed && set.isEmpty();
            return set.isEmpty() ? null : set;
        });
        lastSeen.put(userId, nowMs);
        return last[0];
    }

    @Override
    public void heartbeat(long nowMs) {
        // Nothing expires on a single node: connections are removed when they close.
    }

    @Override
    public boolean isOnline(String userId) {
        Set<String> s = connections.get(userId);
        return s != null && !s.isEmpty();
    }

    @Override
    public Set<String> liveConnections(String userId) {
        Set<String> s = connections.get(userId);
        return s == null ? Set.of() : Set.copyOf(s);
    }

    @Override
    public Optional<Long> lastSeenMs(String userId) {
        return Optional.ofNullable(lastSeen.get(userId));
    }
}
