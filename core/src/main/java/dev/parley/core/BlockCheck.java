package dev.parley.core;

import dev.parley.protocol.Message;
import java.util.Optional;

/**
 * The one question every hot path asks about blocking: does A block B. Gateways ask it on live fan-out (one
 * predicate for every transport, like {@link EntryVisibility}), the push decision before queueing, the chat core
 * before a send into a direct conversation. Implementations answer from memory in the common case
 * ({@link BlockService}); {@link #NONE} blocks nobody.
 */
@FunctionalInterface
public interface BlockCheck {
    BlockCheck NONE = (blockerId, blockedId) -> false;

    /** Whether {@code blockerId} blocks {@code blockedId}. */
    boolean blocks(String blockerId, String blockedId);

    /**
     * The answer if it can be given without blocking the calling thread (an event loop); empty when it would
     * need a store read.
     */
    default Optional<Boolean> blocksIfCached(String blockerId, String blockedId) {
        return Optional.of(blocks(blockerId, blockedId));
    }

    /** Loads what {@code userId} blocks into memory, where blocking is fine (a connection's set-up). */
    default void warm(String userId) {
    }

    /**
     * Whether a live entry (message, reaction, edit, delete) is kept from {@code recipientId}: its sender is
     * someone the recipient blocks. Entries stay stored and synced; only live delivery and pushes skip them.
     */
    default boolean hidesEntry(Message entry, String recipientId) {
        String sender = entry.senderId();
        return sender != null && !sender.equals(recipientId) && blocks(recipientId, sender);
    }

    /** Whether a receipt (or other activity) of {@code actorId} is kept from {@code recipientId}. */
    default boolean hidesActivity(String actorId, String recipientId) {
        return actorId != null && !actorId.equals(recipientId) && blocks(recipientId, actorId);
    }

    /** Typing goes neither way between a blocker and the blocked user. */
    default boolean hidesTyping(String typistId, String recipientId) {
        return typistId != null && !typistId.equals(recipientId)
                && (blocks(recipientId, typistId) || blocks(typistId, recipientId));
    }
}
