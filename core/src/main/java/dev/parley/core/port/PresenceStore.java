package dev.parley.core.port;

import java.util.Optional;
import java.util.Set;

/**
 * Who is online. A user is online while any of their devices holds a connection. Implementations
 * that span nodes expire a crashed node's connections by TTL, refreshed by {@link #heartbeat}.
 */
public interface PresenceStore extends AutoCloseable {

    /**
     * Records a new connection.
     *
     * @return true if the user was offline before (they just came online)
     */
    boolean connected(String userId, String connectionId);

    /**
     * Records a closed connection and stamps the user's last-seen time.
     *
     * @return true if that was the user's last connection (they just went offline)
     */
    boolean disconnected(String userId, String connectionId, long nowMs);

    /** Keeps this node's connections alive in stores that expire them. */
    void heartbeat(long nowMs);

    boolean isOnline(String userId);

    /**
     * The ids of the user's live connections on every node (expired ones left out), as given to
     * {@link #connected}. Redis trouble answers an empty set, like {@link #isOnline}.
     */
    Set<String> liveConnections(String userId);

    /** When the user was last connected, if ever. */
    Optional<Long> lastSeenMs(String userId);

    @Override
    default void close() {
    }
}
