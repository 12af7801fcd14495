package dev.parley.core;

import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import java.util.Optional;
import java.util.Set;

/**
 * The send-side rule of blocking: a user blocked by the other member of a direct conversation may not add
 * entries to it ({@code forbidden}). Groups are not refused: their entries are stored and hidden from the
 * blocker at delivery. Cheap in the common case: members come from the {@link MemberCache} and the block sets
 * from memory; the conversation's kind is read only when the other member does block the sender.
 */
final class BlockedSends {
    private final MemberCache members;
    private final MessageStore store;
    private volatile BlockCheck check = BlockCheck.NONE;

    BlockedSends(MemberCache members, MessageStore store) {
        this.members = members;
        this.store = store;
    }

    void use(BlockCheck check) {
        this.check = check;
    }

    BlockCheck check() {
        return check;
    }

    /** Throws {@code forbidden} when the caller is blocked by the other member of this direct conversation. */
    void refuse(Caller caller, String conversationId) {
        BlockCheck c = check;
        if (c == BlockCheck.NONE) {
            return;
        }
        String other = otherOfTwo(members.members(conversationId).orElse(Set.of()), caller.userId());
        if (other != null && c.blocks(other, caller.userId()) && isDirect(conversationId)) {
            throw ChatException.forbidden("this user does not accept your messages");
        }
    }

    /**
     * Whether the send can go ahead as far as blocks are concerned, answered from memory only: false when this
     * node cannot tell without a store read, or when the sender is blocked (the blocking path then refuses it).
     */
    boolean clearWithoutBlocking(Caller caller, String conversationId) {
        BlockCheck c = check;
        if (c == BlockCheck.NONE) {
            return true;
        }
        Optional<Set<String>> cached = members.cached(conversationId);
        if (cached.isEmpty()) {
            return false;
        }
        String other = otherOfTwo(cached.get(), caller.userId());
        return other == null || c.blocksIfCached(other, caller.userId()).map(b -> !b).orElse(false);
    }

    /** Loads the user's block set into memory ahead of the fan-out's questions (called where blocking is fine). */
    void warm(String userId) {
        check.warm(userId);
    }

    private boolean isDirect(String conversationId) {
        return store.findConversation(conversationId).map(x -> x.kind() == ConversationKind.DIRECT)
                .orElse(false);
    }

    /** The member other than {@code userId} when there are exactly two (a direct conversation always has two). */
    private static String otherOfTwo(Set<String> members, String userId) {
        if (members.size() != 2 || !members.contains(userId)) {
            return null;
        }
        for (String m : members) {
            if (!m.equals(userId)) {
                return m;
            }
        }
        return null;
    }
}
