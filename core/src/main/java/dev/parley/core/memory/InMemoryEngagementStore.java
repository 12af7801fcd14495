package dev.parley.core.memory;

import dev.parley.core.port.EngagementStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Engagement for a single node, held in memory for the process lifetime. */
public final class InMemoryEngagementStore implements EngagementStore {
    private final Map<String, Set<String>> engaged = new ConcurrentHashMap<>();

    @Override
    public boolean engage(String conversationId, String userId, long atMs) {
        return engaged.computeIfAbsent(conversationId, k -> ConcurrentHashMap.newKeySet()).add(userId);
    }

    @Override
    public Map<String, Set<String>> engagedIn(Collection<String> conversationIds) {
        Map<String, Set<String>> out = new HashMap<>();
        for (String id : conversationIds) {
            Set<String> users = engaged.get(id);
            if (users != null && !users.isEmpty()) {
                out.put(id, Set.copyOf(users));
            }
        }
        return out;
    }
}
