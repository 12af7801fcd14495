package dev.parley.core;

/**
 * One message found by a search. {@code snippet} is plain text: the part of the message around the matched words,
 * cut at word boundaries with an ellipsis where text was left out (clients highlight the words themselves).
 */
public record SearchHit(String conversationId, long seq, String senderId, long sentAtMs, String snippet) {
}
