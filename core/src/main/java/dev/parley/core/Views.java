package dev.parley.core;

import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import java.util.List;
import java.util.Map;

/** Turns core records into wire views. */
public final class Views {
    private Views() {
    }

    public static ConversationView conversation(ConversationSummary s) {
        Conversation c = s.conversation();
        List<ConversationView.MemberReceipt> receipts = s.receipts().stream()
                .map(w -> new ConversationView.MemberReceipt(w.userId(), w.deliveredSeq(), w.readSeq()))
                .toList();
        return new ConversationView(c.conversationId(), c.kind(), c.title(), c.members(), c.e2ee(), c.lastSeq(),
                s.readSeq(), s.deliveredSeq(), s.unread(), receipts, s.lastMessage().orElse(null), c.createdAtMs(),
                epoch(c), roles(c));
    }

    /** A view for someone who is no longer a member: shared fields only, no watermarks or preview. */
    public static ConversationView formerMember(Conversation c) {
        return new ConversationView(c.conversationId(), c.kind(), c.title(), c.members(), c.e2ee(), c.lastSeq(),
                0, 0, 0, List.of(), null, c.createdAtMs(), epoch(c), roles(c));
    }

    /** Every member's role, shown for groups only (a direct conversation has no roles). */
    private static Map<String, String> roles(Conversation c) {
        return c.kind() == ConversationKind.GROUP ? c.memberRoles() : null;
    }

    /** The MLS epoch, shown for e2ee conversations only. */
    private static Long epoch(Conversation c) {
        return c.e2ee() ? c.epoch() : null;
    }
}
