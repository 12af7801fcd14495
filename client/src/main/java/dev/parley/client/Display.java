package dev.parley.client;

import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.Message;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the app is shown of the replica: a held conversation as a {@link ConversationInfo} (this user's read
 * watermark and unread count, every member's receipts, the newest message, a group's roles) and a stored entry as
 * a {@link ChatMessage} (its folded state and, for the user's own messages, the {@link Tick} the other members'
 * receipts give it).
 *
 * <p>Reads only: the replicated state it turns into these ({@link Replica.Conv}; the entries, reactions and
 * receipts in the {@link LocalStore}; the roles in the {@link RoleStore}) is written by the {@link Replica} alone.
 * Any thread; each call sees the state as it is at that moment.
 */
final class Display {
    private final LocalStore store;
    private final RoleStore roles;
    private final Supplier<String> me;

    Display(LocalStore store, RoleStore roles, Supplier<String> me) {
        this.store = store;
        this.roles = roles;
        this.me = me;
    }

    /** Whether the app's conversation list shows this conversation: described by the server, not left or removed. */
    boolean listed(Replica.Conv c) {
        return shown(c) && c.row.kind() != null;
    }

    /** Whether the app may look this conversation up: held, and not left or removed. */
    boolean shown(Replica.Conv c) {
        return !c.removed && c.row != null;
    }

    /** A conversation as held now. */
    ConversationInfo info(Replica.Conv c) {
        LocalStore.ConversationRow r = c.row;
        String self = me.get();
        ConversationInfo.Receipt mine = self == null ? null : c.receipts.get(self);
        long readSeq = mine == null ? 0 : mine.readSeq();
        ChatMessage last = store.latestMessage(c.id).map(sm -> message(c, sm)).orElse(null);
        ConversationKind kind = r == null || r.kind() == null ? null : ConversationKind.fromWire(r.kind());
        return new ConversationInfo(c.id, kind, r == null ? null : r.title(),
                r == null ? List.of() : r.members(), r != null && r.e2ee(), c.held, c.known, readSeq,
                store.unread(c.id, self, readSeq), Map.copyOf(c.receipts), last,
                kind != ConversationKind.GROUP ? Map.of() : roles.of(c.id), c.request);
    }

    /** A stored entry of conversation {@code c} with its folded state (edits, delete, reactions) and tick. */
    ChatMessage message(Replica.Conv c, LocalStore.StoredMessage sm) {
        Message m = sm.raw();
        return new ChatMessage(m.conversationId(), m.seq(), m.messageId(), m.senderId(), m.clientMsgId(), m.kind(),
                m.body(), sm.edited(), Boolean.TRUE.equals(m.deleted()), sm.reactions(), m.replyTo(), m.threadRoot(),
                m.attachments(), m.system(), m.sentAtMs(), tick(c, m), sm.undecryptable());
    }

    /**
     * The tick of one of the user's own messages: delivered once every other member's delivered (or read)
     * watermark reached it, read once every other member's read watermark did; {@link Tick#SENT} for others'
     * messages and while the user is alone in the conversation.
     */
    Tick tick(Replica.Conv c, Message m) {
        String self = me.get();
        if (self == null || !self.equals(m.senderId())) {
            return Tick.SENT;
        }
        List<String> members = c.row == null ? List.of() : c.row.members();
        boolean anyOther = false;
        boolean allDelivered = true;
        boolean allRead = true;
        for (String member : members) {
            if (member.equals(self)) {
                continue;
            }
            anyOther = true;
            ConversationInfo.Receipt r = c.receipts.get(member);
            long delivered = r == null ? 0 : r.deliveredSeq();
            long read = r == null ? 0 : r.readSeq();
            allDelivered &= Math.max(delivered, read) >= m.seq();
            allRead &= read >= m.seq();
        }
        if (!anyOther) {
            return Tick.SENT;
        }
        return allRead ? Tick.READ : allDelivered ? Tick.DELIVERED : Tick.SENT;
    }
}
