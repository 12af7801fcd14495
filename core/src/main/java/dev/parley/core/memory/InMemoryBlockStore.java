package dev.parley.core.memory;

import dev.parley.core.port.BlockStore;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link BlockStore} in memory, for tests and single-process use. */
public final class InMemoryBlockStore implements BlockStore {
    private final Map<String, Map<String, Long>> byBlocker = new HashMap<>();

    @Override
    public synchronized boolean block(String blockerId, String blockedId, long atMs) {
        return byBlocker.computeIfAbsent(blockerId, k -> new HashMap<>()).putIfAbsent(blockedId, atMs) == null;
    }

    @Override
    public synchronized boolean unblock(String blockerId, String blockedId) {
        Map<String, Long> blocked = byBlocker.get(blockerId);
        return blocked != null && blocked.remove(blockedId) != null;
    }

    @Override
    public synchronized List<Blocked> blockedBy(String blockerId) {
        return byBlocker.getOrDefault(blockerId, Map.of()).entrySet().stream()
                .map(e -> new Blocked(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingLong(Blocked::blockedAtMs).thenComparing(Blocked::userId))
                .toList();
    }
}
