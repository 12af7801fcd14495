package dev.parley.core;

/** One member's delivered and read watermarks in one conversation; {@code readSeq <= deliveredSeq}. */
public record Watermarks(String conversationId, String userId, long deliveredSeq, long readSeq) {
}
