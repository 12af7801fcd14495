package dev.parley.core.push;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The devices that may hold a push subscription, per user, in memory: the push decision for an entry none of
 * whose recipients has a subscribed device offline costs no store read (and, when no recipient has one at all,
 * no thread hop either).
 *
 * <p>It is a superset, never missing a device that holds a subscription: a device is added before its
 * subscription is stored, on this node and (through the bus, {@link PushService#subscribed}) on every other
 * node, and the whole table is read from the store at start and again after a bus outage. Nothing is removed
 * while the node runs: a device whose subscriptions are gone only costs the decision the store read it made
 * before this table existed, and is dropped at the next start.
 */
public final class PushSubscribers {
    private final Map<String, Set<String>> devicesByUser = new ConcurrentHashMap<>();

    /** Adds the devices of {@code users} (user id to device ids), as read from the store. */
    public void addAll(Map<String, ? extends Collection<String>> users) {
        users.forEach((user, devices) -> devices.forEach(d -> add(user, d)));
    }

    /** Marks {@code deviceId} of {@code userId} as one that may hold a subscription. */
    public void add(String userId, String deviceId) {
        devicesByUser.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(deviceId);
    }

    /** The devices of the user that may hold a subscription (empty if none); a live view, do not modify. */
    public Set<String> devicesOf(String userId) {
        Set<String> devices = devicesByUser.get(userId);
        return devices == null ? Set.of() : devices;
    }

    /** Whether any of {@code users} other than {@code except} may have a subscribed device. */
    public boolean anyOf(Collection<String> users, String except) {
        if (devicesByUser.isEmpty()) {
            return false;
        }
        for (String u : users) {
            if (!u.equals(except) && devicesByUser.containsKey(u)) {
                return true;
            }
        }
        return false;
    }

    /** Number of users with at least one such device (tests and metrics). */
    public int users() {
        return devicesByUser.size();
    }
}
