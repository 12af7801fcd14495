package dev.parley.server.gateway.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.server.backplane.SessionSnapshots;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT sessions, live and persistent, keyed by user and client identifier. This node keeps the ones it
 * serves in memory; a persistent session is also saved to the backplane's {@link SessionSnapshots} when
 * its connection ends, so that its client may come back on any node of the cluster and find its
 * subscriptions and acknowledged cursors there (QoS 1 deliveries not acknowledged come again from the
 * log, by seq). A detached session is always resumed from that shared copy when there is one: this
 * node's own copy may predate the client's visit to another node.
 *
 * <p>Not covered: a node that dies without closing its connections saves nothing, so its clients resume
 * from what was saved at their previous disconnect (some deliveries come twice) or, if never saved, start
 * a new session; and a client that connects to a second node while the first still holds its connection
 * does not take that connection over (the first closes it by keep-alive).
 */
final class MqttSessions {
    private static final Logger log = LoggerFactory.getLogger(MqttSessions.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The result of a CONNECT: the session to use, whether it existed, and the connection it was taken from. */
    record Opened(MqttSession session, boolean present, Object previousOwner) {
    }

    private final Map<String, MqttSession> sessions = new HashMap<>();
    private final Map<String, Set<String>> byUser = new HashMap<>();
    /**
     * Per session key (striped): a release's detach-and-save and an open's load-and-attach of the same
     * session never interleave, so a client reconnecting at once never reads the copy its previous
     * connection is about to replace. Taken before {@code this}, never while holding it.
     */
    private final Object[] stripes = new Object[64];
    /** Persistent sessions whose last save failed: this node's copy is newer than the shared one. */
    private final Set<String> unsaved = new HashSet<>();
    private final int maxPerUser;
    private final SessionSnapshots shared;
    private final Clock clock;

    MqttSessions(int maxPerUser, SessionSnapshots shared, Clock clock) {
        this.maxPerUser = maxPerUser;
        this.shared = shared;
        this.clock = clock;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    private Object stripe(String key) {
        return stripes[Math.floorMod(key.hashCode(), stripes.length)];
    }

    /**
     * Opens (or resumes) the session of {@code clientId} for {@code connection}. A connection already
     * holding it is returned as {@code previousOwner}, to be disconnected (MQTT's session take-over).
     *
     * @param cleanStart discard any stored state first
     * @param keep       whether the session outlives the connection, and for {@code expirySeconds}
     */
    // runs on: the connection's lane (blocking allowed: the shared copy is read here)
    Opened open(String userId, String clientId, boolean cleanStart, boolean keep, long expirySeconds,
                String newEpoch, Object connection) {
        String key = MqttSession.key(userId, clientId);
        synchronized (stripe(key)) {
            return openLocked(key, userId, clientId, cleanStart, keep, expirySeconds, newEpoch, connection);
        }
    }

    private Opened openLocked(String key, String userId, String clientId, boolean cleanStart, boolean keep,
                              long expirySeconds, String newEpoch, Object connection) {
        long nowMs = clock.millis();
        MqttSession saved = null;
        boolean sharedKnown = false; // false: the shared copy could not be read, this node's copy will do
        if (cleanStart) {
            deleteShared(userId, clientId);
        } else {
            try {
                saved = loadShared(userId, clientId, nowMs).orElse(null);
                sharedKnown = true;
            } catch (Exception e) {
                log.warn("mqtt session of other nodes not read userId={}: {}", userId, e.toString());
            }
        }
        List<MqttSession> evicted;
        Opened opened;
        synchronized (this) {
            MqttSession existing = sessions.get(key);
            Object previousOwner = existing == null ? null : existing.owner();
            if (previousOwner == null && sharedKnown && !unsaved.contains(key)) {
                // Detached here: the shared copy is the newest (null: ended or expired on some node).
                existing = saved;
            }
            boolean resume = existing != null && !cleanStart && existing.persistent();
            MqttSession session;
            if (resume) {
                session = existing;
                session.keepFor(keep, expirySeconds);
            } else {
                session = new MqttSession(userId, clientId, newEpoch, keep, expirySeconds);
            }
            sessions.put(key, session);
            unsaved.remove(key);
            Set<String> keys = byUser.computeIfAbsent(userId, u -> new LinkedHashSet<>());
            keys.remove(key);
            keys.add(key);
            session.attach(connection);
            evicted = evictBeyondCap(userId);
            opened = new Opened(session, resume, previousOwner);
        }
        evicted.forEach(s -> deleteShared(s.userId, s.clientId));
        return opened;
    }

    /**
     * The connection is gone; a clean session ends, a persistent one starts its expiry clock here and is
     * saved for every node.
     */
    // runs on: the connection's lane
    void release(MqttSession session, Object connection, long nowMs) {
        String key = MqttSession.key(session.userId, session.clientId);
        synchronized (stripe(key)) {
            synchronized (this) {
                if (!session.detach(connection, nowMs)) {
                    return; // taken over: the new owner saves it when it is done
                }
                if (!session.persistent()) {
                    remove(key, session);
                    return;
                }
            }
            boolean saved = false;
            try {
                shared.save(sharedKey(session.userId, session.clientId), JSON.writeValueAsString(session.snapshot()),
                        Duration.ofSeconds(Math.max(1, session.expirySeconds())));
                saved = true;
            } catch (Exception e) {
                log.warn("mqtt session not saved for other nodes userId={}: {}", session.userId, e.toString());
            }
            synchronized (this) {
                if (saved) {
                    unsaved.remove(key);
                } else {
                    unsaved.add(key);
                }
            }
        }
    }

    /** Drops this node's persistent sessions whose expiry has passed; returns how many (the shared copy expires by itself). */
    synchronized int sweep(long nowMs) {
        List<Map.Entry<String, MqttSession>> expired = new ArrayList<>();
        for (var e : sessions.entrySet()) {
            if (e.getValue().expired(nowMs)) {
                expired.add(e);
            }
        }
        expired.forEach(e -> remove(e.getKey(), e.getValue()));
        return expired.size();
    }

    synchronized int size() {
        return sessions.size();
    }

    private Optional<MqttSession> loadShared(String userId, String clientId, long nowMs) throws IOException {
        Optional<String> json = shared.load(sharedKey(userId, clientId));
        if (json.isEmpty()) {
            return Optional.empty();
        }
        MqttSession.Snapshot snapshot = JSON.readValue(json.get(), MqttSession.Snapshot.class);
        return Optional.of(MqttSession.restore(userId, clientId, snapshot, nowMs));
    }

    private void deleteShared(String userId, String clientId) {
        try {
            shared.delete(sharedKey(userId, clientId));
        } catch (RuntimeException e) {
            log.warn("mqtt session not deleted for other nodes userId={}: {}", userId, e.toString());
        }
    }

    /** User ids contain no {@code :}; the client identifier is the rest of the key, whatever it holds. */
    static String sharedKey(String userId, String clientId) {
        return "mqtt:" + userId + ":" + clientId;
    }

    private List<MqttSession> evictBeyondCap(String userId) {
        Set<String> keys = byUser.get(userId);
        if (keys == null || keys.size() <= maxPerUser) {
            return List.of();
        }
        MqttSession oldest = null;
        for (String k : keys) {
            MqttSession s = sessions.get(k);
            if (s != null && s.owner() == null && (oldest == null || s.detachedAtMs() < oldest.detachedAtMs())) {
                oldest = s;
            }
        }
        if (oldest == null) {
            return List.of();
        }
        remove(MqttSession.key(oldest.userId, oldest.clientId), oldest);
        return List.of(oldest);
    }

    private void remove(String key, MqttSession session) {
        if (sessions.remove(key, session)) {
            unsaved.remove(key);
            Set<String> keys = byUser.get(session.userId);
            if (keys != null) {
                keys.remove(key);
                if (keys.isEmpty()) {
                    byUser.remove(session.userId);
                }
            }
        }
    }
}
