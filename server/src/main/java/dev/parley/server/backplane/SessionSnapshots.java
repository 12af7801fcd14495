package dev.parley.server.backplane;

import java.time.Duration;
import java.util.Optional;

/**
 * The last saved state of persistent gateway sessions, by key, visible to every node of the cluster:
 * what lets an MQTT client with a persistent session come back on any node. Values are opaque text
 * written by the gateway; each lives until its time to live passes or it is deleted.
 *
 * <p>Contract (SessionSnapshotsContract): {@link #load} returns the value of the latest {@link #save} of
 * that key until {@code ttl} after that save, and nothing after {@link #delete}. Saves of one key replace
 * each other whole (last writer wins). Blocking; callers run it off event loops. An engine that cannot
 * reach its storage throws {@link IllegalStateException}; callers then keep their own copy.
 */
public interface SessionSnapshots {

    /** The value last saved under {@code key}, unless it expired or was deleted. */
    Optional<String> load(String key);

    /** Stores {@code value} under {@code key} for {@code ttl} (at least one millisecond), replacing any. */
    void save(String key, String value, Duration ttl);

    /** Forgets {@code key}; nothing happens if it is unknown. */
    void delete(String key);
}
