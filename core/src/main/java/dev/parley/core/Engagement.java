package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EngagementStore;
import dev.parley.core.port.EventBus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Who has chosen to talk in which conversation (docs/security.md, "Privacy of presence"): the creator,
 * everyone who sent anything, everyone who accepted. The store is the truth; this node keeps the engaged
 * users of recently used conversations in a bounded cache. Engagement only grows, so a cached set is
 * kept right by adding to it: every engagement, made on any node, is announced on {@link #TOPIC}, to
 * which every node listens ({@link #listen}). A node that may have missed announcements (the bus was
 * away) calls {@link #forgetAll}; until then it can only under-report, which hides presence, never shows it.
 */
public final class Engagement {
    /**
     * Every node listens here. The announcement travels as a {@link BusEvent.MembershipChanged} whose
     * {@code added} holds the engaged user: no other reader subscribes to this topic.
     */
    public static final String TOPIC = "sys.engaged";

    private final EngagementStore store;
    private final EventBus bus;
    private final Clock clock;
    private final int capacity;
    private final Map<String, Set<String>> cache;
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    /** Bumped on every change to what is known; a load that started before a bump is not cached. */
    private long generation;

    public Engagement(EngagementStore store, EventBus bus, Clock clock, int capacity) {
        this.store = store;
        this.bus = bus;
        this.clock = clock;
        this.capacity = capacity;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                return size() > Engagement.this.capacity;
            }
        };
    }

    /** Subscribes this node's cache to engagements made on every node; close the subscription on shutdown. */
    public EventBus.Subscription listen() {
        return bus.subscribe(TOPIC, e -> {
            if (e instanceof BusEvent.MembershipChanged m) {
                for (String userId : m.added()) {
                    remember(m.conversationId(), userId);
                }
            }
        });
    }

    /** Called with {@code (conversationId, userId)} after a user engaged through {@link #engage} on this node. */
    public void onEngaged(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    /**
     * Records that the user chose to talk in the conversation (a send or an accept) and, if that is new,
     * announces it to every node and tells the {@link #onEngaged} listeners. Blocks on the store.
     *
     * @return true if the user was not engaged before
     */
    public boolean engage(String conversationId, String userId) {
        if (isEngaged(conversationId, userId)) {
            return false;
        }
        if (!record(conversationId, userId)) {
            return false; // another node recorded it first, and told the members
        }
        for (BiConsumer<String, String> listener : listeners) {
            listener.accept(conversationId, userId);
        }
        return true;
    }

    /**
     * Records the creator of a new conversation, before anyone hears of it; no listener runs (the
     * creation is announced by the core itself).
     */
    public void created(Conversation conversation) {
        if (conversation.createdBy() != null) {
            record(conversation.conversationId(), conversation.createdBy());
        }
    }

    /** Whether the user is engaged in the conversation (a store read when it is not cached). */
    public boolean isEngaged(String conversationId, String userId) {
        return engagedIn(conversationId).contains(userId);
    }

    /** Whether the cache knows the user is engaged; never reads the store (for the hot path). */
    public boolean knownEngaged(String conversationId, String userId) {
        synchronized (cache) {
            Set<String> hit = cache.get(conversationId);
            return hit != null && hit.contains(userId);
        }
    }

    /** The users engaged in a conversation (members or not). */
    public Set<String> engagedIn(String conversationId) {
        return engagedIn(List.of(conversationId)).getOrDefault(conversationId, Set.of());
    }

    /** The users engaged in each of the conversations; one store read for all those not cached. */
    public Map<String, Set<String>> engagedIn(Collection<String> conversationIds) {
        Map<String, Set<String>> out = new HashMap<>();
        List<String> missing = new ArrayList<>();
        long before;
        synchronized (cache) {
            before = generation;
            for (String id : conversationIds) {
                Set<String> hit = cache.get(id);
                if (hit != null) {
                    out.put(id, hit);
                } else {
                    missing.add(id);
                }
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        Map<String, Set<String>> loaded = store.engagedIn(missing);
        synchronized (cache) {
            for (String id : missing) {
                Set<String> users = Set.copyOf(loaded.getOrDefault(id, Set.of()));
                out.put(id, users);
                if (generation == before) {
                    cache.put(id, users);
                }
            }
        }
        return out;
    }

    /** Drops every cached set (after announcements may have been missed, e.g. a bus outage). */
    public void forgetAll() {
        synchronized (cache) {
            generation++;
            cache.clear();
        }
    }

    private boolean record(String conversationId, String userId) {
        boolean fresh = store.engage(conversationId, userId, clock.millis());
        remember(conversationId, userId);
        if (fresh) {
            bus.publish(TOPIC, new BusEvent.MembershipChanged(conversationId, List.of(userId), List.of()));
        }
        return fresh;
    }

    private void remember(String conversationId, String userId) {
        synchronized (cache) {
            generation++;
            Set<String> hit = cache.get(conversationId);
            if (hit != null && !hit.contains(userId)) {
                Set<String> more = new HashSet<>(hit);
                more.add(userId);
                cache.put(conversationId, Set.copyOf(more));
            }
        }
    }
}
