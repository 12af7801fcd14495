package dev.parley.client;

import dev.parley.protocol.EntryKind;
import java.util.List;

/**
 * Optional parts of an outgoing message.
 *
 * @param replyTo     the {@code seq} of the message this one answers, or null
 * @param threadRoot  the {@code seq} of the thread's first message, or null
 * @param attachments media ids from {@code POST /v1/media}; makes the message a {@code media} one
 */
public record SendOptions(Long replyTo, Long threadRoot, List<String> attachments) {
    /** No reply, no thread, no attachments. */
    public static final SendOptions NONE = new SendOptions(null, null, null);

    public SendOptions {
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
    }

    /** A reply to the message at {@code seq}. */
    public static SendOptions replyTo(long seq) {
        return new SendOptions(seq, null, null);
    }

    /** A message in the thread started by the message at {@code rootSeq}. */
    public static SendOptions inThread(long rootSeq) {
        return new SendOptions(null, rootSeq, null);
    }

    /** A media message carrying uploaded media. */
    public static SendOptions withAttachments(List<String> mediaIds) {
        return new SendOptions(null, null, mediaIds);
    }

    EntryKind kind() {
        return attachments.isEmpty() ? EntryKind.TEXT : EntryKind.MEDIA;
    }
}
