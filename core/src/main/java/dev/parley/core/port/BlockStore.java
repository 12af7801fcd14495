package dev.parley.core.port;

import java.util.List;

/**
 * Who blocks whom: one row per (blocker, blocked) pair. Every method is durable when it returns and safe to
 * call from several nodes sharing one database; block and unblock are idempotent.
 */
public interface BlockStore {

    /** One user a blocker blocks, and since when. */
    record Blocked(String userId, long blockedAtMs) {
    }

    /**
     * Records that {@code blockerId} blocks {@code blockedId}; false when that was already so (the first time
     * is kept).
     */
    boolean block(String blockerId, String blockedId, long atMs);

    /** Removes the block; false when there was none. */
    boolean unblock(String blockerId, String blockedId);

    /** Everyone {@code blockerId} blocks, oldest block first (ties by user id). */
    List<Blocked> blockedBy(String blockerId);
}
