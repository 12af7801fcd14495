package dev.parley.core.mls;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which devices are leaves of a group, per epoch: the leaf rows change only with an accepted Commit, which moves
 * the epoch, so a set read at epoch E stays right for as long as the group is at E (on any node: the epoch is read
 * from the store for every message). Bounded LRU over conversations; thread-safe.
 */
final class LeafDevices {
    private static final int MAX_GROUPS = 1024;

    private record AtEpoch(long epoch, Set<String> devices) {
    }

    private final Map<String, AtEpoch> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AtEpoch> eldest) {
            return size() > MAX_GROUPS;
        }
    };

    /**
     * Whether {@code deviceId} is a leaf of the group at {@code epoch}, reading the group's view only when the
     * cached set is of another epoch.
     */
    boolean isLeaf(String conversationId, long epoch, String deviceId, Supplier<MlsGroupView> read) {
        AtEpoch hit;
        synchronized (cache) {
            hit = cache.get(conversationId);
        }
        if (hit == null || hit.epoch() != epoch) {
            MlsGroupView view = read.get();
            Set<String> devices = new HashSet<>();
            for (MlsLeaf leaf : view.leaves()) {
                devices.add(leaf.deviceId());
            }
            hit = new AtEpoch(view.epoch(), Set.copyOf(devices));
            synchronized (cache) {
                AtEpoch now = cache.get(conversationId);
                if (now == null || Long.compareUnsigned(now.epoch(), hit.epoch()) <= 0) {
                    cache.put(conversationId, hit);
                }
            }
        }
        return hit.devices().contains(deviceId);
    }
}
