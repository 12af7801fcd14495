package dev.parley.core.port;

import dev.parley.core.push.PushSubscription;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Push subscriptions of devices, per-user conversation mutes, and the installation's push keys. Every
 * method is durable when it returns and safe to call from several nodes sharing one database.
 */
public interface PushStore {

    /**
     * Stores a subscription. Idempotent on the device and address: registering the same endpoint or token
     * again from the same device returns the subscription stored first, with the keys given now (a browser
     * that renewed its keys keeps its endpoint).
     */
    PushSubscription addSubscription(PushSubscription subscription);

    /** The device's subscriptions, oldest first. */
    List<PushSubscription> subscriptionsOfDevice(String deviceId);

    /** Every subscription of these users' devices. */
    List<PushSubscription> subscriptionsOfUsers(Collection<String> userIds);

    /** Every user holding a subscription, with the devices that hold them (read once at start). */
    Map<String, Set<String>> subscribedDevices();

    /** Deletes one of the device's subscriptions (and its queued pushes); false if the device has no such one. */
    boolean deleteSubscription(String deviceId, String subscriptionId);

    /** Deletes a subscription the push service said is gone, with its queued pushes; no-op if already gone. */
    void deleteSubscription(String subscriptionId);

    /** Mutes or unmutes a conversation for one user (only that user's pushes). */
    void setMuted(String conversationId, String userId, boolean muted);

    /** Whether the user muted the conversation. */
    boolean isMuted(String conversationId, String userId);

    /** Members of the conversation who muted it. */
    Set<String> mutedUsers(String conversationId);

    /**
     * The installation's key called {@code name}, storing {@code candidate} if there is none yet. When
     * several nodes race, all of them get the one stored first.
     */
    byte[] installationKey(String name, byte[] candidate);

    /** The installation's key called {@code name}, if one was stored. */
    Optional<byte[]> findInstallationKey(String name);
}
