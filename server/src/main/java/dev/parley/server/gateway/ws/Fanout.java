package dev.parley.server.gateway.ws;

import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.PresenceState;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.SystemAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's routing table from bus topics to local sockets. It holds one bus subscription per
 * conversation or user that has a local socket, dropped when the last one leaves, and turns bus
 * events into frames: encoded once, written to every interested socket.
 */
final class Fanout {
    private static final Logger log = LoggerFactory.getLogger(Fanout.class);

    private final EventBus bus;
    private final ChatService chat;
    private final PresenceService presence;
    private final Executor blocking;
    private final Map<String, Topic> conversations = new HashMap<>();
    private final Map<String, Topic> users = new HashMap<>();

    Fanout(EventBus bus, ChatService chat, PresenceService presence, Executor blocking) {
        this.bus = bus;
        this.chat = chat;
        this.presence = presence;
        this.blocking = blocking;
    }

    private static final class Topic {
        final Set<WsPeer> connections = ConcurrentHashMap.newKeySet();
        EventBus.Subscription subscription;
    }

    /** Starts routing events of the user and of their conversations to this connection. */
    synchronized void register(WsPeer c, List<String> conversationIds) {
        String userId = c.caller().userId();
        topic(users, userId, EventBus.userTopic(userId), e -> onUserEvent(userId, e)).connections.add(c);
        if (c.conversations == null && !c.isClosed()) {
            // Sized for what it will hold: most sockets' sets never grow, and an oversized table stays for good.
            c.conversations = HashSet.newHashSet(Math.max(1, conversationIds.size()));
        }
        for (String id : conversationIds) {
            join(c, id);
        }
    }

    synchronized void unregister(WsPeer c) {
        if (c.caller() == null) {
            return;
        }
        for (String id : c.conversationsCopy()) {
            leave(c, id);
        }
        release(users, c.caller().userId(), c);
    }

    synchronized void join(WsPeer c, String conversationId) {
        if (c.isClosed()) {
            return;
        }
        if (c.conversations == null) {
            c.conversations = HashSet.newHashSet(2);
        }
        if (!c.conversations.add(conversationId)) {
            return;
        }
        topic(conversations, conversationId, EventBus.conversationTopic(conversationId),
                e -> onConversationEvent(conversationId, e)).connections.add(c);
    }

    synchronized void leave(WsPeer c, String conversationId) {
        if (c.conversations != null && c.conversations.remove(conversationId)) {
            release(conversations, conversationId, c);
        }
    }

    /** Every authenticated connection on this node (a snapshot), for the {@link SessionAudit}. */
    synchronized List<WsPeer> authenticatedPeers() {
        List<WsPeer> all = new ArrayList<>();
        for (Topic t : users.values()) {
            all.addAll(t.connections);
        }
        return all;
    }

    /** The conversations {@code c} receives now (a copy). */
    synchronized Set<String> conversationsOf(WsPeer c) {
        return c.conversationsCopy();
    }

    /** Number of conversation topics this node is subscribed to (for tests and metrics). */
    synchronized int conversationTopics() {
        return conversations.size();
    }

    private Topic topic(Map<String, Topic> map, String key, String busTopic,
                        java.util.function.Consumer<BusEvent> handler) {
        Topic t = map.get(key);
        if (t == null) {
            t = new Topic();
            map.put(key, t);
            t.subscription = bus.subscribe(busTopic, handler);
        }
        return t;
    }

    private void release(Map<String, Topic> map, String key, WsPeer c) {
        Topic t = map.get(key);
        if (t != null && t.connections.remove(c) && t.connections.isEmpty()) {
            map.remove(key);
            t.subscription.close();
        }
    }

    private Set<WsPeer> connectionsOf(Map<String, Topic> map, String key) {
        Topic t;
        synchronized (this) {
            t = map.get(key);
        }
        return t == null ? Set.of() : t.connections;
    }

    private void onConversationEvent(String conversationId, BusEvent event) {
        switch (event) {
            case BusEvent.EntryAdded added -> deliverEntry(conversationId, added.entry());
            case BusEvent.ReceiptMoved moved -> {
                var w = moved.watermarks();
                OutFrame json = OutFrame.of(new ServerFrame.Receipt(w.conversationId(), w.userId(), w.deliveredSeq(),
                        w.readSeq()));
                var blocks = chat.blocks();
                WsPeer.pushAll(connectionsOf(conversations, conversationId), json,
                        c -> !blocks.hidesActivity(w.userId(), c.caller().userId()));
            }
            case BusEvent.Typing typing -> {
                OutFrame json = OutFrame.of(new ServerFrame.TypingEvent(typing.conversationId(), typing.userId(),
                        typing.state()));
                var blocks = chat.blocks();
                WsPeer.pushAll(connectionsOf(conversations, conversationId), json,
                        c -> !c.caller().userId().equals(typing.userId())
                                && !blocks.hidesTyping(typing.userId(), c.caller().userId()));
            }
            case BusEvent.PresenceChanged p -> {
                var frame = new ServerFrame.Presence(p.userId(),
                        p.online() ? PresenceState.ONLINE : PresenceState.OFFLINE, p.lastSeenMs());
                for (WsPeer c : connectionsOf(conversations, conversationId)) {
                    if (presence.mayDeliver(p.userId(), c.caller().userId())) {
                        c.pushPresence(frame);
                    }
                }
            }
            case BusEvent.MembershipChanged m -> chat.forgetMembers(m.conversationId());
            case BusEvent.DeviceRevoked ignored -> {
            }
            case BusEvent.PushSubscribed ignored -> {
            }
            case BusEvent.BlocksChanged ignored -> {
            }
        }
    }

    private void deliverEntry(String conversationId, Message entry) {
        boolean system = entry.kind() == EntryKind.SYSTEM && entry.system() != null;
        if (system) {
            chat.forgetMembers(conversationId);
            if (entry.system().action() == SystemAction.ADDED) {
                for (String userId : entry.system().userIds()) {
                    for (WsPeer c : connectionsOf(users, userId)) {
                        join(c, conversationId);
                    }
                }
            }
        }
        var blocks = chat.blocks();
        WsPeer.pushAll(connectionsOf(conversations, conversationId), OutFrame.of(entry),
                c -> dev.parley.core.EntryVisibility.visibleTo(entry, c.caller().deviceId())
                        && !blocks.hidesEntry(entry, c.caller().userId()));
        if (system && entry.system().action() == SystemAction.ADDED) {
            announcePresence(conversationId, entry.system().userIds());
        }
        if (system && entry.system().action() != SystemAction.ADDED) {
            for (String userId : entry.system().userIds()) {
                for (WsPeer c : connectionsOf(users, userId)) {
                    leave(c, conversationId);
                }
            }
        }
    }

    /** Tells a conversation's members the presence of users just added to it (off the bus thread). */
    private void announcePresence(String conversationId, List<String> added) {
        blocking.execute(() -> {
            try {
                for (ServerFrame.Presence p : presence.presenceIn(conversationId, added)) {
                    for (WsPeer c : connectionsOf(conversations, conversationId)) {
                        if (presence.mayDeliver(p.userId(), c.caller().userId())) {
                            c.pushPresence(p);
                        }
                    }
                }
            } catch (RuntimeException ex) {
                log.warn("cannot announce presence conversationId={}", conversationId, ex);
            }
        });
    }

    private void onUserEvent(String userId, BusEvent event) {
        switch (event) {
            case BusEvent.MembershipChanged m -> {
                chat.forgetMembers(m.conversationId());
                Set<WsPeer> local = connectionsOf(users, userId);
                if (local.isEmpty()) {
                    return;
                }
                boolean removed = m.removed().contains(userId);
                for (WsPeer c : local) {
                    if (removed) {
                        leave(c, m.conversationId());
                    } else {
                        join(c, m.conversationId());
                    }
                }
                blocking.execute(() -> {
                    try {
                        chat.viewFor(m.conversationId(), userId).ifPresent(view -> {
                            OutFrame json = OutFrame.of(view);
                            for (WsPeer c : connectionsOf(users, userId)) {
                                c.push(json);
                            }
                            if (!removed) {
                                // New contacts: tell this user who of them is online (those engaged here).
                                var others = view.members().stream().filter(u -> !u.equals(userId)).toList();
                                for (ServerFrame.Presence p : presence.presenceIn(m.conversationId(), others)) {
                                    if (!presence.mayDeliver(p.userId(), userId)) {
                                        continue;
                                    }
                                    for (WsPeer c : connectionsOf(users, userId)) {
                                        c.pushPresence(p);
                                    }
                                }
                            }
                        });
                    } catch (RuntimeException ex) {
                        log.warn("cannot load conversation view conversationId={} userId={}", m.conversationId(),
                                userId, ex);
                    }
                });
            }
            case BusEvent.DeviceRevoked r -> {
                for (WsPeer c : connectionsOf(users, userId)) {
                    if (c.caller().deviceId().equals(r.deviceId())) {
                        c.close(CloseCode.UNAUTHORIZED, "session revoked");
                    }
                }
            }
            default -> {
            }
        }
    }
}
