package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.PresenceStore;
import dev.parley.protocol.PresenceState;
import dev.parley.protocol.ServerFrame;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Online/offline per user: online while any device holds a connection. Transitions are published on the
 * conversations the user is engaged in, and every way presence leaves the server goes through the
 * {@link PresencePrivacy} rule (docs/security.md, "Privacy of presence").
 */
public final class PresenceService {
    /** In {@link #onlineDevices}: a connection of an unknown device, which counts for every device. */
    public static final String ANY_DEVICE = "*";
    private static final char DEVICE_SEPARATOR = '/';

    private final PresenceStore presence;
    private final ChatService chat;
    private final EventBus bus;
    private final Clock clock;
    private final PresencePrivacy privacy;

    /**
     * Presence under {@code privacy}'s rule. When a user engages in a conversation (accepts it or sends their
     * first entry), its members are told the user's presence at once, and the user's own devices get the
     * conversation's view again (its request flag is gone).
     */
    public PresenceService(PresenceStore presence, ChatService chat, EventBus bus, Clock clock,
                           PresencePrivacy privacy) {
        this.presence = presence;
        this.chat = chat;
        this.bus = bus;
        this.clock = clock;
        this.privacy = privacy;
        privacy.engagement().onEngaged(this::engaged);
    }

    /** The rule every gateway applies to presence it delivers. */
    public PresencePrivacy privacy() {
        return privacy;
    }

    /**
     * Whether a presence change of {@code subject}, received on a conversation it was published on, may be
     * written to a connection of {@code viewer} (not the subject itself, no block either way).
     */
    public boolean mayDeliver(String subject, String viewer) {
        return privacy.mayDeliver(subject, viewer);
    }

    /** Of {@code subjects} (who just joined the conversation), the presence its members may be told. */
    public List<ServerFrame.Presence> presenceIn(String conversationId, List<String> subjects) {
        return presenceOf(privacy.engagedOf(conversationId, subjects));
    }

    private void engaged(String conversationId, String userId) {
        if (presence.isOnline(userId)) {
            bus.publish(EventBus.conversationTopic(conversationId),
                    new BusEvent.PresenceChanged(userId, true, null));
        } else {
            presence.lastSeenMs(userId).ifPresent(ms -> bus.publish(EventBus.conversationTopic(conversationId),
                    new BusEvent.PresenceChanged(userId, false, ms)));
        }
        // The user's devices: the conversation is no longer a request (and whose presence they see is unchanged).
        bus.publish(EventBus.userTopic(userId), new BusEvent.MembershipChanged(conversationId, List.of(), List.of()));
    }

    /**
     * A device's connection opened. The device is recorded with it (its connection id in the store is
     * {@code <deviceId>/<connectionId>}), so {@link #onlineDevices} can tell which devices are reachable.
     */
    public void connected(Caller caller, String connectionId) {
        connected(caller.userId(), caller.deviceId() + DEVICE_SEPARATOR + connectionId);
    }

    /** The connection opened with {@link #connected(Caller, String)} closed. */
    public void disconnected(Caller caller, String connectionId) {
        disconnected(caller.userId(), caller.deviceId() + DEVICE_SEPARATOR + connectionId);
    }

    /**
     * The user's devices with a live connection on any node (WebSocket, MQTT, Socket.IO). A connection
     * recorded without its device (through {@link #connected(String, String)}) cannot be placed: it counts
     * for every device, and the set then holds {@link #ANY_DEVICE}.
     */
    public Set<String> onlineDevices(String userId) {
        Set<String> devices = new HashSet<>();
        for (String connection : presence.liveConnections(userId)) {
            int cut = connection.indexOf(DEVICE_SEPARATOR);
            devices.add(cut > 0 ? connection.substring(0, cut) : ANY_DEVICE);
        }
        return devices;
    }

    /** Whether the device has a live connection (see {@link #onlineDevices}). */
    public static boolean isOnline(Set<String> onlineDevices, String deviceId) {
        return onlineDevices.contains(deviceId) || onlineDevices.contains(ANY_DEVICE);
    }

    /** A user-level connection whose device is not known; prefer {@link #connected(Caller, String)}. */
    public void connected(String userId, String connectionId) {
        if (presence.connected(userId, connectionId)) {
            publish(new BusEvent.PresenceChanged(userId, true, null), userId);
        }
    }

    /** Closes a connection opened with {@link #connected(String, String)}. */
    public void disconnected(String userId, String connectionId) {
        long now = clock.millis();
        if (presence.disconnected(userId, connectionId, now)) {
            publish(new BusEvent.PresenceChanged(userId, false, now), userId);
        }
    }

    /**
     * A connection of the user was expired by the backplane (its node stopped heartbeating) and that was
     * the user's last one: the user went offline at {@code lastSeenMs}. The store already recorded it.
     */
    public void expired(String userId, long lastSeenMs) {
        publish(new BusEvent.PresenceChanged(userId, false, lastSeenMs), userId);
    }

    /**
     * Presence of everyone whose presence the user sees ({@link PresencePrivacy#visibleTo}): online ones, and
     * last seen of others.
     */
    public List<ServerFrame.Presence> snapshot(String userId) {
        return presenceOf(privacy.visibleTo(userId));
    }

    /**
     * {@link #snapshot(String)} when the user's conversations were just read (a socket's set-up reads them to
     * subscribe it), so the snapshot does not read them again.
     */
    public List<ServerFrame.Presence> snapshot(String userId, List<String> conversationIds) {
        return presenceOf(privacy.visibleTo(userId, conversationIds));
    }

    /**
     * Current presence of the given users (online, or offline with last seen when known), with no rule
     * applied: callers pass only users the receiver may see.
     */
    public List<ServerFrame.Presence> presenceOf(java.util.Collection<String> contacts) {
        List<ServerFrame.Presence> out = new ArrayList<>();
        for (String contact : contacts) {
            if (presence.isOnline(contact)) {
                out.add(new ServerFrame.Presence(contact, PresenceState.ONLINE, null));
            } else {
                presence.lastSeenMs(contact).ifPresent(ms ->
                        out.add(new ServerFrame.Presence(contact, PresenceState.OFFLINE, ms)));
            }
        }
        return out;
    }

    private void publish(BusEvent.PresenceChanged event, String userId) {
        for (String conversationId : privacy.shownOn(userId)) {
            bus.publish(EventBus.conversationTopic(conversationId), event);
        }
    }
}
