package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One entry of a conversation log, exactly as sync, history and live delivery return it. Entries are
 * immutable once stored except that a deleted message loses its body. Fields that do not apply to the
 * entry's {@link EntryKind} are null and left out of the JSON.
 *
 * @param target    for edit/delete/reaction: the {@code seq} of the entry changed
 * @param on        for reaction: true when added, false when removed
 * @param system    for system entries: what changed in the membership
 * @param deleted   true on a message whose body was removed by a later delete entry
 * @param epoch      for mls-commit: the MLS epoch the Commit was built on
 * @param recipients for mls-welcome: the only devices the entry is delivered to
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Message(
        String conversationId,
        long seq,
        String messageId,
        String senderId,
        String senderDeviceId,
        String clientMsgId,
        EntryKind kind,
        String body,
        Long target,
        String emoji,
        Boolean on,
        Long replyTo,
        Long threadRoot,
        List<String> attachments,
        SystemChange system,
        Boolean deleted,
        long sentAtMs,
        Long epoch,
        List<String> recipients) implements ServerFrame {

    public Message {
        recipients = recipients == null ? null : List.copyOf(recipients);
    }

    /** An entry without MLS fields. */
    public Message(String conversationId, long seq, String messageId, String senderId, String senderDeviceId,
                   String clientMsgId, EntryKind kind, String body, Long target, String emoji, Boolean on,
                   Long replyTo, Long threadRoot, List<String> attachments, SystemChange system, Boolean deleted,
                   long sentAtMs) {
        this(conversationId, seq, messageId, senderId, senderDeviceId, clientMsgId, kind, body, target, emoji, on,
                replyTo, threadRoot, attachments, system, deleted, sentAtMs, null, null);
    }

    /**
     * A change to a group recorded as a {@code system} entry: members added, removed or leaving, a new title, or
     * new roles. {@code roles} maps user ids to the role they hold from this entry on: the target of a
     * {@code role} change, or, on a {@code left}/{@code removed} entry, the member who became owner because the
     * last owner went (docs/protocol.md, "Roles").
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SystemChange(SystemAction action, List<String> userIds, String title, Map<String, String> roles) {

        public SystemChange {
            roles = roles == null || roles.isEmpty() ? null : Map.copyOf(roles);
        }

        /** A change that sets no roles. */
        public SystemChange(SystemAction action, List<String> userIds, String title) {
            this(action, userIds, title, null);
        }
    }
}
