package dev.parley.core;

/**
 * A member's report of one log entry, for the operator. {@code text} is the entry's text when it was reported
 * (edits applied), so deleting the message later does not erase the evidence; it is null for e2ee
 * conversations (the server holds only ciphertext) and for entries without text.
 */
public record Report(String reportId, String reporterId, String conversationId, long seq, String senderId,
                     String kind, String text, String reason, long createdAtMs) {
}
