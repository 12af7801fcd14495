package dev.parley.core;

import java.util.List;

/**
 * A conversation's shared state. {@code members} are the current members' user ids in the order they
 * joined; {@code directKey} is set for direct conversations only (the two user ids, sorted, joined).
 * {@code epoch} is the MLS epoch of an e2ee conversation (0 until its first Commit; always 0 otherwise).
 */
public record Conversation(String conversationId, String kind, String title, boolean e2ee, long lastSeq,
                           String createdBy, String directKey, long createdAtMs, List<String> members, long epoch) {
    public Conversation {
        members = List.copyOf(members);
    }

    /** A conversation at MLS epoch 0. */
    public Conversation(String conversationId, String kind, String title, boolean e2ee, long lastSeq,
                        String createdBy, String directKey, long createdAtMs, List<String> members) {
        this(conversationId, kind, title, e2ee, lastSeq, createdBy, directKey, createdAtMs, members, 0);
    }

    public boolean isDirect() {
        return directKey != null;
    }

    /** The key that makes a direct conversation between two users unique. */
    public static String directKey(String userA, String userB) {
        return userA.compareTo(userB) <= 0 ? userA + "|" + userB : userB + "|" + userA;
    }
}
