package dev.parley.core.port;

import dev.parley.core.Appended;
import dev.parley.core.mls.MlsCommit;
import dev.parley.core.mls.MlsGroupView;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The Delivery Service's per-conversation MLS state (epoch and leaves), kept by the same store as the log so that
 * an accepted Commit and its entry are one write. Same concurrency rules as {@link MessageStore}.
 */
public interface MlsGroupStore {

    /** The group's epoch and occupied leaves; empty if the conversation does not exist. */
    Optional<MlsGroupView> group(String conversationId);

    /** The group's epoch alone (one row, whatever the group's size); empty if the conversation does not exist. */
    Optional<Long> epoch(String conversationId);

    /**
     * Stores an accepted Commit atomically: only if the group is still at {@link MlsCommit#epoch()} (checked and
     * moved in the write itself, so two Commits for one epoch never both succeed, on any node), the epoch moves
     * by one, the leaves change, the commit entry is appended with the next {@code seq}, and the system entries
     * after it, each applying its membership change.
     *
     * <p>Idempotent: if the commit entry's {@code (senderDeviceId, clientMsgId)} is already stored, nothing
     * changes and the stored entry is returned alone with {@code duplicate = true}.
     *
     * @return completes once durable with the commit entry first, then the system entries; fails with
     *         {@link EpochConflictException} if the epoch moved, {@link UnknownConversationException} for an
     *         unknown conversation
     */
    CompletableFuture<List<Appended>> appendCommit(MlsCommit commit);
}
