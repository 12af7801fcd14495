package dev.parley.core;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.util.List;

/**
 * An entry to append to a conversation log. The store gives it the next {@code seq}. Ids and the
 * timestamp are chosen by the core before the append, so a retried append stays the same entry.
 *
 * @param clientMsgId the sender device's idempotency key (null for entries that have none)
 * @param membership  for {@code system} entries: the member set change applied in the same transaction
 */
public record NewEntry(String conversationId, String messageId, String senderId, String senderDeviceId,
                       String clientMsgId, EntryKind kind, String body, Long target, String emoji, Boolean on,
                       Long replyTo, Long threadRoot, List<String> attachments, Message.SystemChange system,
                       MembershipChange membership, long sentAtMs) {

    /** Users to add to or remove from the member list, atomically with the system entry. */
    public record MembershipChange(List<String> added, List<String> removed) {
        public MembershipChange {
            added = added == null ? List.of() : List.copyOf(added);
            removed = removed == null ? List.of() : List.copyOf(removed);
        }
    }

    /** The entry as it reads once stored at {@code seq}. */
    public Message toMessage(long seq) {
        return new Message(conversationId, seq, messageId, senderId, senderDeviceId, clientMsgId, kind, body, target,
                emoji, on, replyTo, threadRoot, attachments, system, null, sentAtMs);
    }

    @Override
    public String toString() {
        return "NewEntry[conversationId=" + conversationId + ", kind=" + kind + ", senderDeviceId=" + senderDeviceId
                + ", clientMsgId=" + clientMsgId + "]";
    }
}
