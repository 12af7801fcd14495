package dev.parley.core;

import java.util.List;

/**
 * A conversation's shared state. {@code members} are the current members' user ids in the order they
 * joined; {@code directKey} is set for direct conversations only (the two user ids, sorted, joined).
 */
public record Conversation(String conversationId, String kind, String title, boolean e2ee, long lastSeq,
                           String createdBy, String directKey, long createdAtMs, List<String> members) {
    public Conversation {
        members = List.copyOf(members);
    }

    public boolean isDirect() {
        return directKey != null;
    }

    /** The key that makes a direct conversation between two users unique. */
    public static String directKey(String userA, String userB) {
        return userA.compareTo(userB) <= 0 ? userA + "|" + userB : userB + "|" + userA;
    }
}
