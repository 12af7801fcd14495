package dev.parley.server.gateway.mqtt;

import dev.parley.protocol.Uuid7;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The state of one MQTT session, keyed by user and client identifier: what it subscribed to, how far
 * each conversation was delivered and acknowledged, and what it needs to recognise its own
 * retransmissions. A persistent session outlives its connection (see {@link MqttSessions}); a clean
 * one ends with it.
 *
 * <p>Thread-safe: the connection that owns it works on it from its lane, and a connection that takes
 * it over may start before the previous one has finished closing.
 */
final class MqttSession {

    /** One subscription: the parsed topic filter and the QoS granted. */
    record Subscription(String filter, Topic topic, int qos, boolean noLocal) {
    }

    /**
     * The last PUBLISH seen with one packet id: its generation, a hash of its payload, and the
     * {@code clientMsgId} it was stored under ({@code null} for a generation restored from a snapshot saved
     * before those ids were kept: its key is then derived from the epoch as it was then).
     */
    private record Inbound(long generation, long payloadHash, UUID id) {
        long[] save() {
            return id == null ? new long[] {generation, payloadHash}
                    : new long[] {generation, payloadHash, id.getMostSignificantBits(), id.getLeastSignificantBits()};
        }

        static Inbound load(long[] saved) {
            return new Inbound(saved[0], saved[1], saved.length >= 4 ? new UUID(saved[2], saved[3]) : null);
        }
    }

    /**
     * What a persistent session carries from one node to another (saved as JSON through the backplane's
     * {@code SessionSnapshots}): its subscriptions, the per-conversation acknowledged cursor (QoS 1
     * deliveries beyond it come again from the log, by seq), and what recognises the client's
     * retransmissions (epoch, packet-id generations, QoS 2 releases awaited).
     */
    record Snapshot(String epoch, long expirySeconds, List<SubscriptionState> subscriptions, Map<String, Long> acked,
                    Map<Integer, long[]> inbound, List<Integer> awaitingRelease) {
    }

    /** A subscription as saved: the filter is parsed again on load. */
    record SubscriptionState(String filter, int qos, boolean noLocal) {
    }

    final String userId;
    final String clientId;
    /**
     * Random per session. Packet ids once derived their {@code clientMsgId} from it; only a generation restored
     * from a snapshot of that time still does (see {@link #inboundKey}).
     */
    final String epoch;
    private volatile boolean persistent;
    private volatile long expirySeconds;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    /** An immutable copy of {@code subscriptions}' values, made when they change (every delivery reads them). */
    private volatile List<Subscription> subscriptionList = List.of();
    /** Per conversation: every entry up to this seq was delivered and (for QoS 1) acknowledged. */
    private final Map<String, Long> acked = new HashMap<>();
    private final Map<Integer, Inbound> inbound = new HashMap<>();
    private final Set<Integer> awaitingRelease = new HashSet<>();
    private Object owner;
    private long detachedAtMs = -1;

    MqttSession(String userId, String clientId, String epoch, boolean persistent, long expirySeconds) {
        this.userId = userId;
        this.clientId = clientId;
        this.epoch = epoch;
        this.persistent = persistent;
        this.expirySeconds = expirySeconds;
    }

    boolean persistent() {
        return persistent;
    }

    long expirySeconds() {
        return expirySeconds;
    }

    /** A 5.0 client resuming a session says afresh how long it should outlive this connection. */
    void keepFor(boolean keep, long seconds) {
        persistent = keep;
        expirySeconds = seconds;
    }

    /** The state to carry to another node (see {@link Snapshot}). */
    synchronized Snapshot snapshot() {
        Map<Integer, long[]> in = new HashMap<>();
        inbound.forEach((id, i) -> in.put(id, i.save()));
        return new Snapshot(epoch, expirySeconds, subscriptions.values().stream()
                .map(x -> new SubscriptionState(x.filter(), x.qos(), x.noLocal())).toList(),
                Map.copyOf(acked), in, List.copyOf(awaitingRelease));
    }

    /** A persistent session as another node left it, detached until a connection attaches. */
    static MqttSession restore(String userId, String clientId, Snapshot saved, long nowMs) {
        MqttSession s = new MqttSession(userId, clientId, saved.epoch(), true, saved.expirySeconds());
        for (SubscriptionState sub : saved.subscriptions()) {
            s.subscriptions.put(sub.filter(), new Subscription(sub.filter(), Topic.filter(sub.filter()), sub.qos(),
                    sub.noLocal()));
        }
        s.subscriptionList = List.copyOf(s.subscriptions.values());
        s.acked.putAll(saved.acked());
        saved.inbound().forEach((id, g) -> s.inbound.put(id, Inbound.load(g)));
        s.awaitingRelease.addAll(saved.awaitingRelease());
        s.detachedAtMs = nowMs;
        return s;
    }

    // ---- ownership ----------------------------------------------------------------------------

    synchronized void attach(Object connection) {
        owner = connection;
        detachedAtMs = -1;
    }

    /** Lets go of the session if {@code connection} still owns it; false if another took it over. */
    synchronized boolean detach(Object connection, long nowMs) {
        if (owner != connection) {
            return false;
        }
        owner = null;
        detachedAtMs = nowMs;
        return true;
    }

    synchronized Object owner() {
        return owner;
    }

    synchronized boolean expired(long nowMs) {
        return owner == null && detachedAtMs >= 0 && nowMs - detachedAtMs >= expirySeconds * 1000;
    }

    synchronized long detachedAtMs() {
        return detachedAtMs;
    }

    // ---- subscriptions ------------------------------------------------------------------------

    synchronized void subscribe(Subscription s) {
        subscriptions.put(s.filter(), s);
        subscriptionList = List.copyOf(subscriptions.values());
    }

    synchronized boolean unsubscribe(String filter) {
        if (subscriptions.remove(filter) == null) {
            return false;
        }
        subscriptionList = List.copyOf(subscriptions.values());
        return true;
    }

    /** The subscriptions, in the order they were made (an immutable snapshot). */
    List<Subscription> subscriptions() {
        return subscriptionList;
    }

    synchronized int subscriptionCount() {
        return subscriptions.size();
    }

    // ---- delivery cursors ---------------------------------------------------------------------

    synchronized Optional<Long> acked(String conversationId) {
        return Optional.ofNullable(acked.get(conversationId));
    }

    /** Moves the cursor forward (never back). */
    synchronized void ack(String conversationId, long seq) {
        acked.merge(conversationId, seq, Math::max);
    }

    synchronized void startAt(String conversationId, long seq) {
        acked.putIfAbsent(conversationId, seq);
    }

    synchronized void forget(String conversationId) {
        acked.remove(conversationId);
    }

    /** Conversations this session holds a cursor for. */
    synchronized java.util.Set<String> cursors() {
        return java.util.Set.copyOf(acked.keySet());
    }

    // ---- inbound retransmissions --------------------------------------------------------------

    /**
     * The {@code clientMsgId} for a QoS 1 or 2 PUBLISH, the same for a retransmission and different for
     * a new message, so the store's idempotency (per device and clientMsgId) stores each message once.
     *
     * <p>A packet id is reused by the client once the previous message with it was acknowledged, so the
     * id alone cannot tell "again" from "new". MQTT says a client sets DUP exactly when it sends a
     * packet again; a PUBLISH without DUP is therefore always new and starts a new generation of its
     * packet id. One with DUP maps to the current generation, unless its payload differs from the one
     * last seen with that id: then the original never arrived, and it is new too.
     *
     * <p>Each new generation gets a fresh UUIDv7, kept (and saved in the snapshot) for its retransmissions.
     * Being time-ordered, these keys land at the end of the store's idempotency index like the SDK's ids do;
     * the earlier {@code mqtt:<session epoch>:<packet id>:<generation>} keys landed on random leaves of it.
     * A generation restored from a snapshot of that time keeps its old key, so its retransmission still
     * dedupes.
     */
    synchronized String inboundKey(int packetId, boolean dup, byte[] payload) {
        long hash = hash(payload);
        Inbound current = inbound.get(packetId);
        if (dup && current != null && current.payloadHash() == hash) {
            return current.id() != null ? current.id().toString()
                    : "mqtt:" + epoch + ":" + packetId + ":" + current.generation();
        }
        Inbound next = new Inbound(current == null ? 0 : current.generation() + 1, hash, Uuid7.shared().nextUuid());
        inbound.put(packetId, next);
        return next.id().toString();
    }

    /** QoS 2: PUBREC sent, waiting for PUBREL. */
    synchronized void awaitRelease(int packetId) {
        awaitingRelease.add(packetId);
    }

    synchronized boolean release(int packetId) {
        return awaitingRelease.remove(packetId);
    }

    private static long hash(byte[] payload) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(payload);
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xff);
            }
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String key(String userId, String clientId) {
        return userId + "\u0000" + clientId;
    }

    @Override
    public String toString() {
        return "MqttSession[userId=" + userId + ", clientId=" + clientId + ", persistent=" + persistent + "]";
    }
}
