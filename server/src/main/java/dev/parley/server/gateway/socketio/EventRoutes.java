package dev.parley.server.gateway.socketio;

import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.PresenceState;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.SystemAction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's routing table from bus topics to local Socket.IO peers, the Socket.IO twin of the WebSocket
 * gateway's: one bus subscription per conversation or user with a local peer, dropped with the last one,
 * and each event encoded once as a Socket.IO packet for every interested peer. The two gateways subscribe
 * separately, so that each can change without the other.
 */
final class EventRoutes {
    private static final Logger log = LoggerFactory.getLogger(EventRoutes.class);

    private final EventBus bus;
    private final ChatService chat;
    private final PresenceService presence;
    private final Executor blocking;
    private final Map<String, Topic> conversations = new HashMap<>();
    private final Map<String, Topic> users = new HashMap<>();

    EventRoutes(EventBus bus, ChatService chat, PresenceService presence, Executor blocking) {
        this.bus = bus;
        this.chat = chat;
        this.presence = presence;
        this.blocking = blocking;
    }

    private static final class Topic {
        final Set<SocketIoPeer> peers = ConcurrentHashMap.newKeySet();
        EventBus.Subscription subscription;
    }

    /** Starts routing events of the peer's user and of their conversations to it. */
    synchronized void register(SocketIoPeer p, List<String> conversationIds) {
        String userId = p.caller().userId();
        topic(users, userId, EventBus.userTopic(userId), e -> onUserEvent(userId, e)).peers.add(p);
        for (String id : conversationIds) {
            join(p, id);
        }
    }

    synchronized void unregister(SocketIoPeer p) {
        if (p.caller() == null) {
            return;
        }
        for (String id : List.copyOf(p.conversations)) {
            leave(p, id);
        }
        release(users, p.caller().userId(), p);
    }

    private synchronized void join(SocketIoPeer p, String conversationId) {
        if (p.isClosed() || !p.conversations.add(conversationId)) {
            return;
        }
        topic(conversations, conversationId, EventBus.conversationTopic(conversationId),
                e -> onConversationEvent(conversationId, e)).peers.add(p);
    }

    private synchronized void leave(SocketIoPeer p, String conversationId) {
        if (p.conversations.remove(conversationId)) {
            release(conversations, conversationId, p);
        }
    }

    private Topic topic(Map<String, Topic> map, String key, String busTopic, Consumer<BusEvent> handler) {
        Topic t = map.get(key);
        if (t == null) {
            t = new Topic();
            map.put(key, t);
            t.subscription = bus.subscribe(busTopic, handler);
        }
        return t;
    }

    private void release(Map<String, Topic> map, String key, SocketIoPeer p) {
        Topic t = map.get(key);
        if (t != null && t.peers.remove(p) && t.peers.isEmpty()) {
            map.remove(key);
            t.subscription.close();
        }
    }

    private Set<SocketIoPeer> peersOf(Map<String, Topic> map, String key) {
        Topic t;
        synchronized (this) {
            t = map.get(key);
        }
        return t == null ? Set.of() : t.peers;
    }

    private static void pushAll(Set<SocketIoPeer> peers, String event, ServerFrame frame, Predicate<SocketIoPeer> to) {
        if (peers.isEmpty()) {
            return;
        }
        String packet = SocketPacket.event(event, SocketIoGateway.fields(frame)).encode();
        for (SocketIoPeer p : peers) {
            if (to.test(p)) {
                p.push(packet);
            }
        }
    }

    // runs on: the bus's delivery thread
    private void onConversationEvent(String conversationId, BusEvent event) {
        switch (event) {
            case BusEvent.EntryAdded added -> deliverEntry(conversationId, added.entry());
            case BusEvent.ReceiptMoved moved -> {
                var w = moved.watermarks();
                var blocks = chat.blocks();
                pushAll(peersOf(conversations, conversationId), "receipt",
                        new ServerFrame.Receipt(w.conversationId(), w.userId(), w.deliveredSeq(), w.readSeq()),
                        p -> !blocks.hidesActivity(w.userId(), p.caller().userId()));
            }
            case BusEvent.Typing typing -> pushAll(peersOf(conversations, conversationId), "typing",
                    new ServerFrame.TypingEvent(typing.conversationId(), typing.userId(), typing.state()),
                    p -> !p.caller().userId().equals(typing.userId())
                            && !chat.blocks().hidesTyping(typing.userId(), p.caller().userId()));
            case BusEvent.PresenceChanged changed -> {
                var frame = new ServerFrame.Presence(changed.userId(),
                        changed.online() ? PresenceState.ONLINE : PresenceState.OFFLINE,
                        changed.lastSeenMs());
                for (SocketIoPeer p : peersOf(conversations, conversationId)) {
                    if (presence.mayDeliver(changed.userId(), p.caller().userId())) {
                        p.pushPresence(frame);
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
        boolean added = system && entry.system().action() == SystemAction.ADDED;
        if (system) {
            chat.forgetMembers(conversationId);
            if (added) {
                for (String userId : entry.system().userIds()) {
                    for (SocketIoPeer p : peersOf(users, userId)) {
                        join(p, conversationId);
                    }
                }
            }
        }
        pushAll(peersOf(conversations, conversationId), "message", entry,
                p -> dev.parley.core.EntryVisibility.visibleTo(entry, p.caller().deviceId())
                        && !chat.blocks().hidesEntry(entry, p.caller().userId()));
        if (added) {
            announcePresence(conversationId, entry.system().userIds());
        } else if (system) {
            for (String userId : entry.system().userIds()) {
                for (SocketIoPeer p : peersOf(users, userId)) {
                    leave(p, conversationId);
                }
            }
        }
    }

    /** Tells a conversation's members the presence of users just added to it (off the bus thread). */
    private void announcePresence(String conversationId, List<String> added) {
        blocking.execute(() -> {
            try {
                for (ServerFrame.Presence p : presence.presenceIn(conversationId, added)) {
                    for (SocketIoPeer peer : peersOf(conversations, conversationId)) {
                        if (presence.mayDeliver(p.userId(), peer.caller().userId())) {
                            peer.pushPresence(p);
                        }
                    }
                }
            } catch (RuntimeException ex) {
                log.warn("cannot announce presence conversationId={}", conversationId, ex);
            }
        });
    }

    // runs on: the bus's delivery thread
    private void onUserEvent(String userId, BusEvent event) {
        switch (event) {
            case BusEvent.MembershipChanged m -> {
                chat.forgetMembers(m.conversationId());
                Set<SocketIoPeer> local = peersOf(users, userId);
                if (local.isEmpty()) {
                    return;
                }
                boolean removed = m.removed().contains(userId);
                for (SocketIoPeer p : local) {
                    if (removed) {
                        leave(p, m.conversationId());
                    } else {
                        join(p, m.conversationId());
                    }
                }
                blocking.execute(() -> announceConversation(userId, m.conversationId(), removed));
            }
            case BusEvent.DeviceRevoked r -> {
                for (SocketIoPeer p : peersOf(users, userId)) {
                    if (p.caller().deviceId().equals(r.deviceId())) {
                        p.disconnect("session revoked");
                    }
                }
            }
            default -> {
            }
        }
    }

    /** Sends the user the conversation as it now is and, when they were added, who of its members is online. */
    private void announceConversation(String userId, String conversationId, boolean removed) {
        try {
            chat.viewFor(conversationId, userId).ifPresent(view -> {
                pushAll(peersOf(users, userId), "conversation", view, p -> true);
                if (!removed) {
                    var others = view.members().stream().filter(u -> !u.equals(userId)).toList();
                    for (ServerFrame.Presence p : presence.presenceIn(conversationId, others)) {
                        if (!presence.mayDeliver(p.userId(), userId)) {
                            continue;
                        }
                        for (SocketIoPeer peer : peersOf(users, userId)) {
                            peer.pushPresence(p);
                        }
                    }
                }
            });
        } catch (RuntimeException ex) {
            log.warn("cannot load conversation view conversationId={} userId={}", conversationId, userId, ex);
        }
    }
}
