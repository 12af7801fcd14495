package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.PresenceStore;
import dev.parley.protocol.ServerFrame;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Online/offline per user: online while any device holds a connection. Transitions are published on
 * every conversation of the user, so only people who share a conversation learn of them.
 */
public final class PresenceService {
    private final PresenceStore presence;
    private final ChatService chat;
    private final EventBus bus;
    private final Clock clock;

    public PresenceService(PresenceStore presence, ChatService chat, EventBus bus, Clock clock) {
        this.presence = presence;
        this.chat = chat;
        this.bus = bus;
        this.clock = clock;
    }

    public void connected(String userId, String connectionId) {
        if (presence.connected(userId, connectionId)) {
            publish(new BusEvent.PresenceChanged(userId, true, null), userId);
        }
    }

    public void disconnected(String userId, String connectionId) {
        long now = clock.millis();
        if (presence.disconnected(userId, connectionId, now)) {
            publish(new BusEvent.PresenceChanged(userId, false, now), userId);
        }
    }

    /** Presence of everyone who shares a conversation with the user: online ones, and last seen of others. */
    public List<ServerFrame.Presence> snapshot(String userId) {
        Set<String> contacts = new HashSet<>();
        for (String conversationId : chat.conversationIdsOf(userId)) {
            contacts.addAll(chat.members(conversationId));
        }
        contacts.remove(userId);
        return presenceOf(contacts);
    }

    /** Current presence of the given users (online, or offline with last seen when known). */
    public List<ServerFrame.Presence> presenceOf(java.util.Collection<String> contacts) {
        List<ServerFrame.Presence> out = new ArrayList<>();
        for (String contact : contacts) {
            if (presence.isOnline(contact)) {
                out.add(new ServerFrame.Presence(contact, ServerFrame.Presence.ONLINE, null));
            } else {
                presence.lastSeenMs(contact).ifPresent(ms ->
                        out.add(new ServerFrame.Presence(contact, ServerFrame.Presence.OFFLINE, ms)));
            }
        }
        return out;
    }

    private void publish(BusEvent.PresenceChanged event, String userId) {
        for (String conversationId : chat.conversationIdsOf(userId)) {
            bus.publish(EventBus.conversationTopic(conversationId), event);
        }
    }
}
