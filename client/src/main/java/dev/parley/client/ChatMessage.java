package dev.parley.client;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.util.List;
import java.util.Map;

/**
 * A message as the app shows it: a {@code text}, {@code media} or {@code system} entry of a conversation
 * log with every later {@code edit}, {@code delete} and {@code reaction} entry folded in (the log order
 * decides; the last writer by {@code seq} wins). A message still in the outbox has {@code seq} 0 and
 * {@link Tick#PENDING}. Immutable snapshot: a later change arrives as a new instance.
 *
 * @param conversationId the conversation
 * @param seq            its position in the log; 0 while pending
 * @param messageId      the server's id (null while pending)
 * @param senderId       the user who sent it
 * @param clientMsgId    the id the sending device chose (idempotency key); null for others' old entries
 * @param kind           {@code TEXT}, {@code MEDIA} or {@code SYSTEM}
 * @param body           the current text (after edits); null once deleted
 * @param edited         whether an edit entry changed it
 * @param deleted        whether a delete entry removed it
 * @param reactions      emoji to the ids of the users whose reaction is currently on, in a stable order
 * @param replyTo        the {@code seq} this replies to, or null
 * @param threadRoot     the {@code seq} of the thread's root, or null
 * @param attachments    media ids, or an empty list
 * @param system         what a system entry changed (null for other kinds)
 * @param sentAtMs       server time of storage (local time while pending)
 * @param tick           delivery state; meaningful for the user's own messages ({@link Tick#SENT} for others')
 * @param undecryptable  true for an entry of an end-to-end encrypted conversation this device could not decrypt
 *                       (sent before it joined, or after it was removed); {@code body} is then null
 */
public record ChatMessage(
        String conversationId,
        long seq,
        String messageId,
        String senderId,
        String clientMsgId,
        EntryKind kind,
        String body,
        boolean edited,
        boolean deleted,
        Map<String, List<String>> reactions,
        Long replyTo,
        Long threadRoot,
        List<String> attachments,
        Message.SystemChange system,
        long sentAtMs,
        Tick tick,
        boolean undecryptable) {

    /** A message that was readable (every message outside end-to-end encrypted conversations). */
    public ChatMessage(String conversationId, long seq, String messageId, String senderId, String clientMsgId,
                       EntryKind kind, String body, boolean edited, boolean deleted, Map<String, List<String>> reactions,
                       Long replyTo, Long threadRoot, List<String> attachments, Message.SystemChange system,
                       long sentAtMs, Tick tick) {
        this(conversationId, seq, messageId, senderId, clientMsgId, kind, body, edited, deleted, reactions, replyTo,
                threadRoot, attachments, system, sentAtMs, tick, false);
    }

    public ChatMessage {
        reactions = reactions == null ? Map.of() : reactions;
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
    }

    /** True while the message waits in the outbox. */
    public boolean isPending() {
        return seq == 0;
    }

    ChatMessage withTick(Tick newTick) {
        return new ChatMessage(conversationId, seq, messageId, senderId, clientMsgId, kind, body, edited, deleted,
                reactions, replyTo, threadRoot, attachments, system, sentAtMs, newTick, undecryptable);
    }

    @Override
    public String toString() {
        // Bodies stay out of logs.
        return "ChatMessage[conversationId=" + conversationId + ", seq=" + seq + ", senderId=" + senderId
                + ", kind=" + kind + ", tick=" + tick + "]";
    }
}
