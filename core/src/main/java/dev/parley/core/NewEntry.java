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
 * @param epoch       for {@code mls-commit}: the MLS epoch the Commit was built on
 * @param recipients  for {@code mls-welcome}: the only devices that may see the entry
 */
public record NewEntry(String conversationId, String messageId, String senderId, String senderDeviceId,
                       String clientMsgId, EntryKind kind, String body, Long target, String emoji, Boolean on,
                       Long replyTo, Long threadRoot, List<String> attachments, Message.SystemChange system,
                       MembershipChange membership, long sentAtMs, Long epoch, List<String> recipients) {

    public NewEntry {
        recipients = recipients == null ? null : List.copyOf(recipients);
    }

    /** An entry without MLS fields. */
    public NewEntry(String conversationId, String messageId, String senderId, String senderDeviceId,
                    String clientMsgId, EntryKind kind, String body, Long target, String emoji, Boolean on,
                    Long replyTo, Long threadRoot, List<String> attachments, Message.SystemChange system,
                    MembershipChange membership, long sentAtMs) {
        this(conversationId, messageId, senderId, senderDeviceId, clientMsgId, kind, body, target, emoji, on, replyTo,
                threadRoot, attachments, system, membership, sentAtMs, null, null);
    }

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
                emoji, on, replyTo, threadRoot, attachments, system, null, sentAtMs, epoch, recipients);
    }

    @Override
    public String toString() {
        return "NewEntry[conversationId=" + conversationId + ", kind=" + kind + ", senderDeviceId=" + senderDeviceId
                + ", clientMsgId=" + clientMsgId + "]";
    }
}
