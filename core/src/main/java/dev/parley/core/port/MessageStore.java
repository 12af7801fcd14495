package dev.parley.core.port;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.ConversationSummary;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.protocol.Message;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Conversations, their members and their ordered, durable logs. The store is the source of truth:
 * everything else (bus, caches, sockets) only notifies.
 *
 * <p>Concurrency: methods may block (callers run on virtual threads, never on an event loop). Writes that
 * return a {@link CompletableFuture} are queued and group-committed: the future completes only once the
 * write is durable, and writes submitted by one thread are applied in submission order. Futures are
 * completed in commit order (so entries of one conversation complete in {@code seq} order) on the
 * store's own thread: dependants must not block.
 */
public interface MessageStore extends AutoCloseable {

    /**
     * Creates a conversation with the given members and an empty log ({@code lastSeq} 0). For a direct
     * conversation ({@code directKey} set) that already exists, nothing is created and the existing one is
     * returned: check {@link Conversation#conversationId()}.
     */
    Conversation createConversation(Conversation conversation);

    /** The conversation with its current members, if it exists. */
    Optional<Conversation> findConversation(String conversationId);

    /** The direct conversation with this {@link Conversation#directKey(String, String) key}, if any. */
    Optional<Conversation> findDirect(String directKey);

    /** Whether {@code userId} is currently a member of the conversation (false if it does not exist). */
    boolean isMember(String conversationId, String userId);

    /** Ids of every conversation the user is currently a member of. */
    List<String> conversationIdsOf(String userId);

    /**
     * Appends an entry with the next {@code seq} of its conversation: 1, 2, 3 … with no gap, even under
     * concurrent appenders (on this node and, for shared engines, on others).
     *
     * <p>Idempotent: if an entry with the same {@code (conversationId, senderDeviceId, clientMsgId)} is
     * already stored, nothing is written and the stored entry is returned with {@code duplicate = true}.
     * A {@code delete} entry also removes the body of its target and of every edit of that target. A
     * {@code system} entry applies its {@link NewEntry#membership()} change atomically with the append.
     * The conversation's change version moves, so list syncs see it.
     *
     * @return completes once durable; fails with {@link UnknownConversationException} for an unknown conversation
     */
    CompletableFuture<Appended> append(NewEntry entry);

    /** Entries with {@code seq > afterSeq}, ascending, at most {@code limit}. */
    List<Message> entriesAfter(String conversationId, long afterSeq, int limit);

    /**
     * The conversation's {@code lastSeq} now, for readers that keep pages ({@code PageCache}): a page read while
     * it was {@code L} is still exact while it is {@code L}. That holds only where every change to a
     * conversation's entries commits together with an append to its log (which moves {@code lastSeq}), as a
     * delete does (it erases bodies in the same transaction): a store that changes entries any other way, or
     * applies a delete's erasure after the delete's own commit, must return empty, which turns page caching
     * off. Empty also for an unknown conversation.
     */
    default OptionalLong lastSeq(String conversationId) {
        return OptionalLong.empty();
    }

    /** The newest entries with {@code seq < beforeSeq}, at most {@code limit}, returned in ascending order. */
    List<Message> entriesBefore(String conversationId, long beforeSeq, int limit);

    /** One entry, if it exists. */
    Optional<Message> entry(String conversationId, long seq);

    /**
     * The entry a device already stored with this idempotency key, if any (the same lookup {@link #append}
     * does): lets the core answer a retry without spending the sender's rate budget.
     */
    Optional<Message> findByClientMsgId(String conversationId, String senderDeviceId, String clientMsgId);

    /**
     * The newest reaction entry by {@code userId} with {@code emoji} on {@code target}, if any: tells
     * whether that reaction is currently on.
     */
    Optional<Message> latestReaction(String conversationId, long target, String userId, String emoji);

    /**
     * Moves a member's watermarks forward: each becomes the max of its stored value and the given one,
     * capped at the conversation's {@code lastSeq}; a read implies delivered. Never moves back.
     *
     * @return completes once durable with the new watermarks if either moved, empty if nothing changed
     *         or the user is not a member
     */
    CompletableFuture<Optional<Watermarks>> moveWatermarks(String conversationId, String userId, long deliveredSeq,
                                                          long readSeq);

    /** One member's view of one conversation, if the user is a member. */
    Optional<ConversationSummary> summary(String conversationId, String userId);

    /**
     * The user's conversations that changed after {@code sinceVersion} (0 for all), the ids of those they
     * left since, and the version to pass next time. A change committed after this call always has a
     * version above the returned one, so nothing is missed (a change may be returned twice).
     */
    ConversationChanges changesSince(String userId, long sinceVersion);

    @Override
    void close();
}
