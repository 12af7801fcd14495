package dev.parley.server.gateway.mqtt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's MQTT sessions, live and persistent, keyed by user and client identifier. Persistent
 * sessions are kept in memory until they expire (or the per-user cap evicts the least recently used):
 * a client that reconnects to another node, or after a restart, starts a new session (CONNACK says
 * so with session present 0) and catches up from the conversation log as a new subscriber would.
 */
final class MqttSessions {

    /** The result of a CONNECT: the session to use, whether it existed, and the connection it was taken from. */
    record Opened(MqttSession session, boolean present, Object previousOwner) {
    }

    private final Map<String, MqttSession> sessions = new HashMap<>();
    private final Map<String, Set<String>> byUser = new HashMap<>();
    private final int maxPerUser;

    MqttSessions(int maxPerUser) {
        this.maxPerUser = maxPerUser;
    }

    /**
     * Opens (or resumes) the session of {@code clientId} for {@code connection}. A connection already
     * holding it is returned as {@code previousOwner}, to be disconnected (MQTT's session take-over).
     *
     * @param cleanStart discard any stored state first
     * @param keep       whether the session outlives the connection, and for {@code expirySeconds}
     */
    synchronized Opened open(String userId, String clientId, boolean cleanStart, boolean keep, long expirySeconds,
                             String newEpoch, Object connection) {
        String key = MqttSession.key(userId, clientId);
        MqttSession existing = sessions.get(key);
        Object previousOwner = existing == null ? null : existing.owner();
        boolean resume = existing != null && !cleanStart && existing.persistent();
        MqttSession session;
        if (resume) {
            session = existing;
            session.keepFor(keep, expirySeconds);
        } else {
            session = new MqttSession(userId, clientId, newEpoch, keep, expirySeconds);
            sessions.put(key, session);
            Set<String> keys = byUser.computeIfAbsent(userId, u -> new LinkedHashSet<>());
            keys.remove(key);
            keys.add(key);
        }
        session.attach(connection);
        evictBeyondCap(userId);
        return new Opened(session, resume, previousOwner);
    }

    /** The connection is gone; a clean session ends, a persistent one starts its expiry clock. */
    synchronized void release(MqttSession session, Object connection, long nowMs) {
        if (session.detach(connection, nowMs) && !session.persistent()) {
            remove(MqttSession.key(session.userId, session.clientId), session);
        }
    }

    /** Drops persistent sessions whose expiry has passed; returns how many. */
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

    private void evictBeyondCap(String userId) {
        Set<String> keys = byUser.get(userId);
        if (keys == null || keys.size() <= maxPerUser) {
            return;
        }
        MqttSession oldest = null;
        for (String k : keys) {
            MqttSession s = sessions.get(k);
            if (s != null && s.owner() == null && (oldest == null || s.detachedAtMs() < oldest.detachedAtMs())) {
                oldest = s;
            }
        }
        if (oldest != null) {
            remove(MqttSession.key(oldest.userId, oldest.clientId), oldest);
        }
    }

    private void remove(String key, MqttSession session) {
        if (sessions.remove(key, session)) {
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
