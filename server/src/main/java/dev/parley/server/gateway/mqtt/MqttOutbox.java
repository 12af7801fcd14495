package dev.parley.server.gateway.mqtt;

import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.ChatService;
import dev.parley.core.EntryVisibility;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import dev.parley.protocol.PresenceState;
import dev.parley.protocol.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery to one MQTT client. The conversation log is the source: per conversation the outbox keeps
 * how far it has sent, and the bus only says "there is more". An entry that follows the last one sent
 * goes out straight from the bus event; anything else (a gap, a reconnect, a full window) is read from
 * the store. So every message is delivered in order and once per session, whatever the bus does, and
 * a slow client costs a window of {@code maxInflight} unacknowledged messages, not a queue.
 *
 * <p>A persistent session remembers, per conversation, the last entry the client acknowledged; a
 * resumed session starts there, so what was stored while it was away arrives on reconnect.
 *
 * <p>Threads: the outbox's state is guarded by one lock. The connection's lane takes it (it may block there:
 * catch-up reads, watermark writes); the connection's event loop only tries it, for the two things that are
 * done there when they need nothing that blocks: a live entry that is next in line ({@code entryNow}) and a
 * PUBACK ({@link #pubAckNow}). Bus events come to the event loop first, so they keep their order whichever of
 * the two handles them.
 */
final class MqttOutbox {
    private static final Logger log = LoggerFactory.getLogger(MqttOutbox.class);
    private static final int PAGE = 100;
    /** PUBACKs arriving within this are folded into one delivered-watermark write per conversation. */
    private static final long MARK_DELAY_MS = 100;

    private record Pending(String conversationId, long seq) {
    }

    private final MqttServices s;
    private final ChatService chat;
    private final MqttConnection connection;
    private final Caller caller;
    private final MqttSession session;
    private final int window;
    private final ReentrantLock lock = new ReentrantLock();

    /** Per conversation: the last seq sent (or skipped as not for this client). */
    private final Map<String, Long> sent = new HashMap<>();
    private final Map<Integer, Pending> inflight = new HashMap<>();
    private final Map<String, Integer> inflightPer = new HashMap<>();
    private final Map<String, Long> markedDelivered = new HashMap<>();
    /** Delivered watermarks acknowledged and not yet written: one write per conversation per window. */
    private final Map<String, Long> toMark = new HashMap<>();
    private boolean markScheduled;
    /** Conversations with more to send once the window has room. */
    private final Set<String> behind = new LinkedHashSet<>();
    private final Map<String, EventBus.Subscription> watching = new HashMap<>();
    private final Map<String, String> presenceSent = new HashMap<>();
    /** The user's conversations, loaded when a subscription needs all of them, kept current by the bus. */
    private Set<String> mine;
    private EventBus.Subscription userTopic;
    private int nextPacketId = 1;
    private boolean stopped;

    MqttOutbox(MqttServices services, MqttConnection connection, Caller caller, MqttSession session, int window) {
        this.s = services;
        this.chat = services.chat();
        this.connection = connection;
        this.caller = caller;
        this.session = session;
        this.window = window;
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    /** Runs {@code body} holding the outbox's lock (on the lane, which may wait for it). */
    private void locked(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }

    /** Starts listening; a resumed session picks its subscriptions up where they were acknowledged. */
    void start(boolean resumed) {
        locked(() -> {
            userTopic = s.bus().subscribe(EventBus.userTopic(caller.userId()),
                    e -> connection.onLoop(() -> connection.lane.submit(() -> onUserEvent(e))));
            if (resumed) {
                refresh();
                for (String c : List.copyOf(watching.keySet())) {
                    pump(c);
                }
            }
        });
    }

    void stop() {
        locked(() -> {
            markDelivered(); // what was acknowledged last, best effort
            stopped = true;
            watching.values().forEach(EventBus.Subscription::close);
            watching.clear();
            if (userTopic != null) {
                userTopic.close();
            }
        });
    }

    // ---- subscriptions -----------------------------------------------------------------------

    /** New subscriptions (acknowledged right after this returns): they see what is stored from now on. */
    void subscribed(List<MqttSession.Subscription> added) {
        locked(() -> subscribedLocked(added));
    }

    private void subscribedLocked(List<MqttSession.Subscription> added) {
        for (MqttSession.Subscription sub : added) {
            session.subscribe(sub);
        }
        refresh(); // subscribe on the bus before reading where the logs end, so nothing falls between
        for (MqttSession.Subscription sub : added) {
            switch (sub.topic()) {
                case Topic.Messages m -> startAtEnd(m.conversationId());
                case Topic.Log l -> startAtEnd(l.conversationId());
                case Topic.AllMessages a -> {
                    for (var summary : chat.conversations(caller, 0).changed()) {
                        session.startAt(summary.conversation().conversationId(), summary.conversation().lastSeq());
                    }
                }
                case Topic.Events e -> {
                    for (ServerFrame.Presence p : s.presence().snapshot(caller.userId())) {
                        event(p.userId(), p);
                    }
                }
                case Topic.Refused r -> {
                }
            }
        }
        for (String c : List.copyOf(watching.keySet())) {
            if (streams(c)) {
                pump(c);
            }
        }
    }

    void unsubscribed() {
        locked(this::unsubscribedLocked);
    }

    private void unsubscribedLocked() {
        refresh();
        Set<String> known = new HashSet<>(sent.keySet());
        known.addAll(session.cursors());
        for (String c : known) {
            if (!streams(c)) {
                // A later subscription starts afresh rather than replaying what was missed meanwhile.
                sent.remove(c);
                session.forget(c);
            }
        }
    }

    private void startAtEnd(String conversationId) {
        if (session.acked(conversationId).isEmpty()) {
            try {
                session.startAt(conversationId, chat.conversation(caller, conversationId).lastSeq());
            } catch (ChatException e) {
                log.debug("cannot start at end conversationId={}: {}", conversationId, e.getMessage());
            }
        }
    }

    /** Brings the bus subscriptions in line with what the session's subscriptions need. */
    private void refresh() {
        Set<String> wanted = new HashSet<>();
        boolean all = false;
        for (MqttSession.Subscription sub : session.subscriptions()) {
            switch (sub.topic()) {
                case Topic.Messages m -> wanted.add(m.conversationId());
                case Topic.Log l -> wanted.add(l.conversationId());
                case Topic.AllMessages a -> all = true;
                case Topic.Events e -> all = true;
                case Topic.Refused r -> {
                }
            }
        }
        if (all) {
            if (mine == null) {
                mine = new HashSet<>(chat.conversationIdsOf(caller.userId()));
            }
            wanted.addAll(mine);
        }
        for (String c : wanted) {
            if (!watching.containsKey(c)) {
                EventBus.Subscription sub = s.bus().subscribe(EventBus.conversationTopic(c),
                        e -> connection.onLoop(() -> onBusEvent(c, e)));
                watching.put(c, sub);
                // Entries stored on other nodes before the engine confirmed the subscription never come as
                // events: read the log once more when it has (the position was taken after subscribing).
                sub.ready().thenRun(() -> connection.lane.submit(() -> locked(() -> {
                    if (!stopped && watching.get(c) == sub && streams(c)) {
                        pump(c);
                    }
                })));
            }
        }
        for (String c : List.copyOf(watching.keySet())) {
            if (!wanted.contains(c)) {
                watching.remove(c).close();
            }
        }
    }

    private boolean subscribedTo(java.util.function.Predicate<Topic> test) {
        for (MqttSession.Subscription sub : session.subscriptions()) {
            if (test.test(sub.topic())) {
                return true;
            }
        }
        return false;
    }

    /** Whether log entries of this conversation go to the client on any topic. */
    private boolean streams(String c) {
        if (!watching.containsKey(c)) {
            return false;
        }
        for (MqttSession.Subscription sub : session.subscriptions()) {
            Topic t = sub.topic();
            if (t instanceof Topic.AllMessages || (t instanceof Topic.Messages m && m.conversationId().equals(c))
                    || (t instanceof Topic.Log l && l.conversationId().equals(c))) {
                return true;
            }
        }
        return false;
    }

    // ---- bus events --------------------------------------------------------------------------

    /**
     * A conversation's bus event, on the connection's event loop: an entry next in line goes out from here
     * when nothing is waiting on the lane, an activity event nobody here subscribed to is dropped here;
     * anything else is the lane's.
     */
    private void onBusEvent(String c, BusEvent event) {
        boolean laneIdle = connection.lane.pending() == 0;
        if (event instanceof BusEvent.EntryAdded added) {
            if (laneIdle && entryNow(c, added.entry())) {
                return;
            }
        } else if (laneIdle && (event instanceof BusEvent.ReceiptMoved || event instanceof BusEvent.Typing
                || event instanceof BusEvent.PresenceChanged) && !subscribedTo(t -> t instanceof Topic.Events)) {
            // These only go to users/me/events; without that subscription (and nothing on the lane that could be
            // making it) the lane would do nothing with them. Every member's delivered watermark is one of these.
            return;
        }
        connection.lane.submit(() -> onConversationEvent(c, event));
    }

    private void onConversationEvent(String c, BusEvent event) {
        locked(() -> onConversationEventLocked(c, event));
    }

    private void onConversationEventLocked(String c, BusEvent event) {
        if (stopped) {
            return;
        }
        switch (event) {
            case BusEvent.EntryAdded added -> onEntry(c, added.entry());
            case BusEvent.ReceiptMoved moved -> {
                var w = moved.watermarks();
                if (!chat.blocks().hidesActivity(w.userId(), caller.userId())) {
                    event(null, new ServerFrame.Receipt(w.conversationId(), w.userId(), w.deliveredSeq(), w.readSeq()));
                }
            }
            case BusEvent.Typing t -> {
                if (!t.userId().equals(caller.userId()) && !chat.blocks().hidesTyping(t.userId(), caller.userId())) {
                    event(null, new ServerFrame.TypingEvent(t.conversationId(), t.userId(), t.state()));
                }
            }
            case BusEvent.PresenceChanged p -> {
                if (s.presence().mayDeliver(p.userId(), caller.userId())) {
                    event(p.userId(), new ServerFrame.Presence(p.userId(),
                            p.online() ? PresenceState.ONLINE : PresenceState.OFFLINE, p.lastSeenMs()));
                }
            }
            case BusEvent.MembershipChanged m -> chat.forgetMembers(m.conversationId());
            case BusEvent.DeviceRevoked r -> {
            }
            case BusEvent.PushSubscribed ignored -> {
            }
            case BusEvent.BlocksChanged ignored -> {
            }
        }
    }

    private void onUserEvent(BusEvent event) {
        locked(() -> onUserEventLocked(event));
    }

    private void onUserEventLocked(BusEvent event) {
        if (stopped) {
            return;
        }
        switch (event) {
            case BusEvent.MembershipChanged m -> {
                chat.forgetMembers(m.conversationId());
                boolean removed = m.removed().contains(caller.userId());
                if (mine != null) {
                    if (removed) {
                        mine.remove(m.conversationId());
                    } else {
                        mine.add(m.conversationId());
                    }
                }
                refresh();
                if (!removed && streams(m.conversationId())) {
                    // A conversation joined while subscribed to conversations/+: delivered from its start.
                    pump(m.conversationId());
                }
                if (subscribedTo(t -> t instanceof Topic.Events)) {
                    chat.viewFor(m.conversationId(), caller.userId()).ifPresent(view -> event(null, view));
                }
            }
            case BusEvent.DeviceRevoked r -> {
                if (r.deviceId().equals(caller.deviceId())) {
                    connection.refuseConnection(Packets.NOT_AUTHORIZED, "session revoked");
                }
            }
            default -> {
            }
        }
    }

    /** A {@code users/me/events} frame, at QoS 0; presence is sent only when it changed for that user. */
    private void event(String presenceOf, ServerFrame frame) {
        if (!subscribedTo(t -> t instanceof Topic.Events)) {
            return;
        }
        String json = Json.encode(frame);
        if (presenceOf != null && json.equals(presenceSent.put(presenceOf, json))) {
            return;
        }
        connection.sendLive(OutPublish.of(Topic.EVENTS, 0, json.getBytes(StandardCharsets.UTF_8), connection.v5(), null),
                0);
    }

    // ---- entries -----------------------------------------------------------------------------

    private long position(String c) {
        Long at = sent.get(c);
        if (at == null) {
            at = session.acked(c).orElse(0L);
            sent.put(c, at);
        }
        return at;
    }

    private void onEntry(String c, Message entry) {
        if (entry.kind() == EntryKind.SYSTEM) {
            chat.forgetMembers(c);
        }
        if (!EntryVisibility.visibleTo(entry, caller.deviceId()) || !streams(c)) {
            return;
        }
        long at = position(c);
        if (entry.seq() <= at) {
            return;
        }
        if (entry.seq() == at + 1 && inflight.size() < window) {
            emit(c, entry, chat.blocks().hidesEntry(entry, caller.userId()));
        } else {
            pump(c);
        }
    }

    /**
     * A live entry on the connection's event loop: sent from here if it is the next one for the client, the
     * window has room and whether it is hidden is known without a store read. Returns false when the lane
     * must handle it (nothing was done then).
     */
    private boolean entryNow(String c, Message entry) {
        if (entry.kind() == EntryKind.SYSTEM || !lock.tryLock()) {
            return false;
        }
        try {
            if (stopped || !EntryVisibility.visibleTo(entry, caller.deviceId()) || !streams(c)) {
                return true;
            }
            long at = position(c);
            if (entry.seq() <= at) {
                return true;
            }
            if (entry.seq() != at + 1 || inflight.size() >= window) {
                return false;
            }
            String sender = entry.senderId();
            boolean hidden = false;
            if (sender != null && !sender.equals(caller.userId())) {
                var known = chat.blocks().blocksIfCached(caller.userId(), sender);
                if (known.isEmpty()) {
                    return false;
                }
                hidden = known.get();
            }
            emit(c, entry, hidden);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Sends what the store holds after the position, as far as the window allows. */
    private void pump(String c) {
        while (!stopped && streams(c)) {
            if (inflight.size() >= window) {
                behind.add(c);
                return;
            }
            ChatService.Page page;
            try {
                page = chat.sync(caller, c, position(c), PAGE);
            } catch (ChatException e) {
                // No longer a member: nothing more to deliver from there.
                log.debug("mqtt delivery stopped conversationId={}: {}", c, e.getMessage());
                return;
            }
            for (Message entry : page.messages()) {
                if (inflight.size() >= window) {
                    behind.add(c);
                    return;
                }
                emit(c, entry, chat.blocks().hidesEntry(entry, caller.userId()));
            }
            if (!page.hasMore()) {
                return;
            }
        }
    }

    /**
     * Sends one entry: at most once on {@code conversations/{id}} and once on its {@code /log}, at the
     * highest QoS among the subscriptions that match (overlapping filters do not duplicate a message).
     */
    private void emit(String c, Message entry, boolean hidden) {
        int plainQos = -1;
        int logQos = -1;
        // An entry from someone this user blocks ({@code hidden}) is left off the message topics; the /log topic
        // is the sync stream, which carries every entry (clients hide them), as sync does.
        for (MqttSession.Subscription sub : session.subscriptions()) {
            boolean plain = entry.kind().isMessage() && (sub.topic() instanceof Topic.AllMessages
                    || (sub.topic() instanceof Topic.Messages m && m.conversationId().equals(c)))
                    && !(sub.noLocal() && caller.deviceId().equals(entry.senderDeviceId()))
                    && !hidden;
            if (plain) {
                plainQos = Math.max(plainQos, sub.qos());
            }
            if (sub.topic() instanceof Topic.Log l && l.conversationId().equals(c)) {
                logQos = Math.max(logQos, sub.qos());
            }
        }
        boolean needsAck = false;
        boolean v5 = connection.v5();
        if (plainQos >= 0) {
            int q = plainQos;
            needsAck |= publish(c, entry, q, s.publishes().get(entry, PublishCache.form(false, q, v5),
                    () -> OutPublish.of(Topic.messages(c), q, entry.body() == null ? new byte[0]
                            : entry.body().getBytes(StandardCharsets.UTF_8), v5, userProperties(entry, v5))));
        }
        if (logQos >= 0) {
            int q = logQos;
            needsAck |= publish(c, entry, q, s.publishes().get(entry, PublishCache.form(true, q, v5),
                    () -> OutPublish.of(Topic.log(c), q, Json.encodeBytes(entry), v5, null)));
        }
        sent.put(c, entry.seq());
        if (!needsAck && inflightPer.getOrDefault(c, 0) == 0) {
            session.ack(c, entry.seq());
        }
    }

    /** Queues one PUBLISH; returns whether it waits for a PUBACK. */
    private boolean publish(String c, Message entry, int qos, OutPublish packet) {
        int packetId = 0;
        if (qos > 0) {
            packetId = nextPacketId();
            inflight.put(packetId, new Pending(c, entry.seq()));
            inflightPer.merge(c, 1, Integer::sum);
        }
        connection.sendLive(packet, packetId);
        return qos > 0;
    }

    /** The MQTT 5 user properties of a message (key, value, …); null for 3.1.1, which has none. */
    private static List<String> userProperties(Message entry, boolean v5) {
        if (!v5) {
            return null;
        }
        List<String> user = new ArrayList<>(8);
        user.add("seq");
        user.add(Long.toString(entry.seq()));
        if (entry.senderId() != null) { // operator notices have no sender
            user.add("senderId");
            user.add(entry.senderId());
        }
        user.add("messageId");
        user.add(entry.messageId());
        user.add("kind");
        user.add(entry.kind().wire());
        return user;
    }

    private void scheduleMark(long delayMs) {
        if (markScheduled || stopped) {
            return;
        }
        markScheduled = true;
        s.vertx().setTimer(Math.max(1, delayMs), t -> connection.lane.submit(() -> locked(() -> {
            markScheduled = false;
            if (!stopped) {
                markDelivered();
            }
        })));
    }

    /**
     * Writes the folded delivered watermarks. Over the user's watermark budget the highest seq is kept
     * and written once the budget allows (a watermark only moves forward, so nothing is lost by waiting).
     */
    private void markDelivered() {
        for (String c : List.copyOf(toMark.keySet())) {
            long seq = toMark.get(c);
            try {
                chat.markDelivered(caller, c, seq).exceptionally(e -> {
                    log.debug("delivered watermark not moved conversationId={}: {}", c, e.toString());
                    return null;
                });
                toMark.remove(c);
            } catch (ChatException e) {
                if (e.code() == ErrorCode.RATE_LIMITED) {
                    scheduleMark(Math.max(MARK_DELAY_MS, e.retryAfterMs()));
                    return;
                }
                toMark.remove(c);
                log.debug("delivered watermark not moved conversationId={}: {}", c, e.getMessage());
            }
        }
    }

    private int nextPacketId() {
        while (true) {
            int id = nextPacketId;
            nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
    }

    /** The client has the message: move the session's cursor and the device's delivered watermark. */
    void onPubAck(int packetId) {
        locked(() -> onPubAckLocked(packetId));
    }

    /**
     * A PUBACK on the connection's event loop: handled here unless the lane holds the outbox or conversations
     * wait for room in the window (their catch-up reads the store). Returns false when the lane must take it.
     */
    boolean pubAckNow(int packetId) {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            if (!behind.isEmpty()) {
                return false;
            }
            onPubAckLocked(packetId);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void onPubAckLocked(int packetId) {
        Pending p = inflight.remove(packetId);
        if (p == null) {
            return;
        }
        String c = p.conversationId();
        int left = inflightPer.merge(c, -1, Integer::sum);
        session.ack(c, left <= 0 ? Math.max(p.seq(), sent.getOrDefault(c, p.seq())) : p.seq());
        if (left <= 0) {
            inflightPer.remove(c);
        }
        if (p.seq() > markedDelivered.getOrDefault(c, 0L)) {
            markedDelivered.put(c, p.seq());
            toMark.merge(c, p.seq(), Math::max);
            scheduleMark(MARK_DELAY_MS);
        }
        if (!behind.isEmpty() && inflight.size() < window) {
            List<String> waiting = new ArrayList<>(behind);
            behind.clear();
            for (String w : waiting) {
                pump(w);
            }
        }
    }
}
