package dev.parley.core;

import dev.parley.core.port.MessageStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Current members per conversation, so the hot path (every send, typing, receipt) checks membership
 * without a store read. Bounded LRU; {@link #invalidate} is called after every committed membership
 * change (on every node, from the bus, once scaled out).
 */
public final class MemberCache {
    private final MessageStore store;
    private final int capacity;
    private final Map<String, Set<String>> cache;

    public MemberCache(MessageStore store, int capacity) {
        this.store = store;
        this.capacity = capacity;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                return size() > MemberCache.this.capacity;
            }
        };
    }

    /** The members of a conversation, or empty if it does not exist. */
    public Optional<Set<String>> members(String conversationId) {
        synchronized (cache) {
            Set<String> hit = cache.get(conversationId);
            if (hit != null) {
                return Optional.of(hit);
            }
        }
        Optional<Set<String>> loaded = store.findConversation(conversationId).map(c -> Set.copyOf(c.members()));
        loaded.ifPresent(m -> {
            synchronized (cache) {
                cache.put(conversationId, m);
            }
        });
        return loaded;
    }

    /** The members if they are cached now; never reads the store. */
    public Optional<Set<String>> cached(String conversationId) {
        synchronized (cache) {
            return Optional.ofNullable(cache.get(conversationId));
        }
    }

    public boolean isMember(String conversationId, String userId) {
        return members(conversationId).map(m -> m.contains(userId)).orElse(false);
    }

    /**
     * Refuses a caller who is not a member with {@code not_found}, the same answer as for a conversation that does
     * not exist (no existence leak).
     */
    void requireMember(Caller caller, String conversationId) {
        if (!isMember(conversationId, caller.userId())) {
            throw ChatException.notFound("conversation");
        }
    }

    public void invalidate(String conversationId) {
        synchronized (cache) {
            cache.remove(conversationId);
        }
    }

    /** Drops everything, e.g. after invalidations may have been missed during a bus outage. */
    public void clear() {
        synchronized (cache) {
            cache.clear();
        }
    }
}
