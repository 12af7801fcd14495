package dev.parley.core.memory;

import dev.parley.core.port.KeyPackageStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** The KeyPackage directory in memory, for one node; {@code active} says which devices may still be claimed. */
public final class InMemoryKeyPackageStore implements KeyPackageStore {
    private final Map<String, Map<String, Deque<byte[]>>> byUser = new LinkedHashMap<>();
    private final Map<String, String> ownerOf = new ConcurrentHashMap<>();
    private final Predicate<String> activeDevice;

    public InMemoryKeyPackageStore(Predicate<String> activeDevice) {
        this.activeDevice = activeDevice;
    }

    /** Every device counts as active. */
    public InMemoryKeyPackageStore() {
        this(deviceId -> true);
    }

    @Override
    public synchronized OptionalInt add(String userId, String deviceId, List<byte[]> packages, int maxHeld) {
        Deque<byte[]> held = byUser.computeIfAbsent(userId, u -> new LinkedHashMap<>())
                .computeIfAbsent(deviceId, d -> new ArrayDeque<>());
        if (held.size() + packages.size() > maxHeld) {
            return OptionalInt.empty();
        }
        packages.forEach(p -> held.addLast(p.clone()));
        ownerOf.put(deviceId, userId);
        return OptionalInt.of(held.size());
    }

    @Override
    public synchronized List<Claimed> claim(Collection<String> userIds) {
        List<Claimed> out = new ArrayList<>();
        for (String userId : Set.copyOf(userIds)) {
            for (Map.Entry<String, Deque<byte[]>> e : byUser.getOrDefault(userId, Map.of()).entrySet()) {
                Deque<byte[]> held = e.getValue();
                if (held.isEmpty() || !activeDevice.test(e.getKey())) {
                    continue;
                }
                byte[] p = held.size() > 1 ? held.pollFirst() : held.peekFirst();
                out.add(new Claimed(userId, e.getKey(), p.clone()));
            }
        }
        return out;
    }

    @Override
    public synchronized int count(String deviceId) {
        String userId = ownerOf.get(deviceId);
        if (userId == null) {
            return 0;
        }
        Deque<byte[]> held = byUser.getOrDefault(userId, Map.of()).get(deviceId);
        return held == null ? 0 : held.size();
    }
}
