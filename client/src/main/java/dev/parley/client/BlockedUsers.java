package dev.parley.client;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The users this account blocks, as this device last learnt them (from the server on every catch-up, and from this
 * client's own block and unblock calls), kept in the local store so that a restart offline still hides them.
 */
final class BlockedUsers {
    private static final String META = "blocked_users";

    private final LocalStore store;
    private volatile Set<String> ids;

    BlockedUsers(LocalStore store) {
        this.store = store;
        String saved = store.meta(META).orElse("");
        this.ids = saved.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(saved.split(",")));
    }

    boolean contains(String userId) {
        return userId != null && ids.contains(userId);
    }

    Set<String> ids() {
        return ids;
    }

    synchronized void replace(Collection<String> now) {
        ids = Set.copyOf(now);
        save();
    }

    synchronized void add(String userId) {
        Set<String> next = new HashSet<>(ids);
        next.add(userId);
        replace(next);
    }

    synchronized void remove(String userId) {
        Set<String> next = new HashSet<>(ids);
        next.remove(userId);
        replace(next);
    }

    private void save() {
        store.putMeta(META, ids.stream().sorted().collect(Collectors.joining(",")));
    }
}
