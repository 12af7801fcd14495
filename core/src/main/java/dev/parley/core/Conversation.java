package dev.parley.core;

import dev.parley.protocol.ConversationKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A conversation's shared state. {@code members} are the current members' user ids in the order they
 * joined; {@code directKey} is set for direct conversations only (the two user ids, sorted, joined).
 * {@code epoch} is the MLS epoch of an e2ee conversation (0 until its first Commit; always 0 otherwise).
 * {@code roles} maps members to {@code owner}, {@code admin} or {@code member} ({@link GroupRoles}); a member
 * missing from it is a {@code member}.
 */
public record Conversation(String conversationId, ConversationKind kind, String title, boolean e2ee, long lastSeq,
                           String createdBy, String directKey, long createdAtMs, List<String> members, long epoch,
                           Map<String, String> roles) {
    public Conversation {
        members = List.copyOf(members);
        roles = roles == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    }

    /** A conversation whose roles are not loaded (every member reads as {@code member}). */
    public Conversation(String conversationId, ConversationKind kind, String title, boolean e2ee, long lastSeq,
                        String createdBy, String directKey, long createdAtMs, List<String> members, long epoch) {
        this(conversationId, kind, title, e2ee, lastSeq, createdBy, directKey, createdAtMs, members, epoch, Map.of());
    }

    /** A conversation at MLS epoch 0. */
    public Conversation(String conversationId, ConversationKind kind, String title, boolean e2ee, long lastSeq,
                        String createdBy, String directKey, long createdAtMs, List<String> members) {
        this(conversationId, kind, title, e2ee, lastSeq, createdBy, directKey, createdAtMs, members, 0);
    }

    public boolean isDirect() {
        return directKey != null;
    }

    /** The member's role, {@code member} when none is recorded; null for someone who is not a member. */
    public String roleOf(String userId) {
        if (!members.contains(userId)) {
            return null;
        }
        return roles.getOrDefault(userId, GroupRoles.MEMBER);
    }

    /** Every member's role, in join order. */
    public Map<String, String> memberRoles() {
        Map<String, String> all = new LinkedHashMap<>();
        for (String m : members) {
            all.put(m, roleOf(m));
        }
        return all;
    }

    /** The same conversation with these roles. */
    public Conversation withRoles(Map<String, String> newRoles) {
        return new Conversation(conversationId, kind, title, e2ee, lastSeq, createdBy, directKey, createdAtMs, members,
                epoch, newRoles);
    }

    /** The key that makes a direct conversation between two users unique. */
    public static String directKey(String userA, String userB) {
        return userA.compareTo(userB) <= 0 ? userA + "|" + userB : userB + "|" + userA;
    }
}
