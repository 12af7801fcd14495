package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a push notification carries to a device (the decrypted Web Push payload, FCM's {@code data}, the
 * custom keys of an APNs payload). It names the latest entry of a conversation; {@code count} says how many
 * entries of that conversation were coalesced into this one push. {@code preview} is the text cut to 100
 * characters, absent for end-to-end encrypted conversations and when previews are turned off.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PushPayload(String conversationId, long seq, String senderId, String senderName, String title,
                          String preview, int count) {

    /** The longest preview, in characters (code points). */
    public static final int MAX_PREVIEW = 100;

    public PushPayload {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
    }

    /** {@code text} cut to {@link #MAX_PREVIEW} code points (an ellipsis marks a cut), or null when blank. */
    public static String previewOf(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip();
        if (t.codePointCount(0, t.length()) <= MAX_PREVIEW) {
            return t;
        }
        return t.substring(0, t.offsetByCodePoints(0, MAX_PREVIEW - 1)) + "\u2026";
    }

    @Override
    public String toString() {
        return "PushPayload[conversationId=" + conversationId + ", seq=" + seq + ", count=" + count + "]";
    }
}
