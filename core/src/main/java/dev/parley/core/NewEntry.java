package dev.parley.core;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.util.List;

/**
 * An entry to append to a conversation log. The store gives it the next {@code seq}. Ids and the
 * timestamp are chosen by the core before the append, so a retried append stays the same entry.
 *
 * <p>Build one with {@link #of} and the named steps of {@link Builder}, which leave every field not named null:
 * <pre>{@code
 * NewEntry.of(EntryKind.EDIT, conversationId, messageId, now).from(userId, deviceId)
 *         .clientMsgId(clientMsgId).body("fixed").target(7L).build();
 * }</pre>
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

    /** Starts an entry of {@code kind}; every other field is null until a step of the builder names it. */
    public static Builder of(EntryKind kind, String conversationId, String messageId, long sentAtMs) {
        return new Builder(kind, conversationId, messageId, sentAtMs);
    }

    /** Names the fields of a {@link NewEntry} one by one; see {@link #of}. */
    public static final class Builder {
        private final EntryKind kind;
        private final String conversationId;
        private final String messageId;
        private final long sentAtMs;
        private String senderId;
        private String senderDeviceId;
        private String clientMsgId;
        private String body;
        private Long target;
        private String emoji;
        private Boolean on;
        private Long replyTo;
        private Long threadRoot;
        private List<String> attachments;
        private Message.SystemChange system;
        private MembershipChange membership;
        private Long epoch;
        private List<String> recipients;

        private Builder(EntryKind kind, String conversationId, String messageId, long sentAtMs) {
            this.kind = kind;
            this.conversationId = conversationId;
            this.messageId = messageId;
            this.sentAtMs = sentAtMs;
        }

        /** The user and device that sent it (both null for an operator's notice). */
        public Builder from(String senderId, String senderDeviceId) {
            this.senderId = senderId;
            this.senderDeviceId = senderDeviceId;
            return this;
        }

        /** The sending device's idempotency key. */
        public Builder clientMsgId(String clientMsgId) {
            this.clientMsgId = clientMsgId;
            return this;
        }

        public Builder body(String body) {
            this.body = body;
            return this;
        }

        /** For {@code edit}, {@code delete} and {@code reaction}: the {@code seq} of the message changed. */
        public Builder target(Long target) {
            this.target = target;
            return this;
        }

        /** For {@code reaction}: the emoji, and whether it is put on or taken off. */
        public Builder reaction(String emoji, Boolean on) {
            this.emoji = emoji;
            this.on = on;
            return this;
        }

        public Builder replyTo(Long replyTo) {
            this.replyTo = replyTo;
            return this;
        }

        public Builder threadRoot(Long threadRoot) {
            this.threadRoot = threadRoot;
            return this;
        }

        /** Media ids of a {@code media} entry. */
        public Builder attachments(List<String> attachments) {
            this.attachments = attachments;
            return this;
        }

        /** For {@code system}: what changed, as members see it. */
        public Builder system(Message.SystemChange system) {
            this.system = system;
            return this;
        }

        /** For {@code system}: the member-list change applied in the same transaction. */
        public Builder membership(MembershipChange membership) {
            this.membership = membership;
            return this;
        }

        /** For {@code mls-commit}: the epoch the Commit was built on. */
        public Builder epoch(Long epoch) {
            this.epoch = epoch;
            return this;
        }

        /** For {@code mls-welcome}: the only devices that may see it. */
        public Builder recipients(List<String> recipients) {
            this.recipients = recipients;
            return this;
        }

        public NewEntry build() {
            return new NewEntry(conversationId, messageId, senderId, senderDeviceId, clientMsgId, kind, body, target,
                    emoji, on, replyTo, threadRoot, attachments, system, membership, sentAtMs, epoch, recipients);
        }
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
