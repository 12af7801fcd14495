package dev.parley.client;

import dev.parley.protocol.ConversationKind;
import java.util.List;
import java.util.Map;

/**
 * A conversation as this client holds it locally.
 *
 * @param conversationId the id
 * @param kind           {@code DIRECT} or {@code GROUP} ({@code UNKNOWN} for a kind added by a newer server)
 * @param title          the title (may be null for direct conversations)
 * @param members        the member user ids
 * @param e2ee           whether bodies are end-to-end encrypted
 * @param lastSeq        the highest {@code seq} held locally (every entry up to it is held)
 * @param serverLastSeq  the highest {@code seq} known to exist on the server; above {@code lastSeq} while
 *                       catching up
 * @param readSeq        this user's read watermark
 * @param unread         text/media entries from others after {@code readSeq}
 * @param receipts       every member's watermarks, by user id
 * @param lastMessage    the newest text/media message held, or null
 * @param roles          in a group, each member's role ({@code owner}, {@code admin} or {@code member}); empty for a
 *                       direct conversation
 * @param request        a message request: a direct conversation someone else opened that this user has not
 *                       accepted ({@link ParleyClient#accept}) or replied in yet; the other person does not see
 *                       this user's presence until then. As the server last said (not kept across restarts:
 *                       false until the next conversation list or conversation frame)
 */
public record ConversationInfo(
        String conversationId,
        ConversationKind kind,
        String title,
        List<String> members,
        boolean e2ee,
        long lastSeq,
        long serverLastSeq,
        long readSeq,
        long unread,
        Map<String, Receipt> receipts,
        ChatMessage lastMessage,
        Map<String, String> roles,
        boolean request) {

    public ConversationInfo {
        members = members == null ? List.of() : List.copyOf(members);
        receipts = receipts == null ? Map.of() : Map.copyOf(receipts);
        // In the order the server lists them (a plain Map.copyOf would shuffle it from run to run).
        roles = roles == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(roles));
    }

    /** A conversation without roles (a direct one) that is not a message request. */
    public ConversationInfo(String conversationId, ConversationKind kind, String title, List<String> members, boolean e2ee,
                            long lastSeq, long serverLastSeq, long readSeq, long unread, Map<String, Receipt> receipts,
                            ChatMessage lastMessage) {
        this(conversationId, kind, title, members, e2ee, lastSeq, serverLastSeq, readSeq, unread, receipts,
                lastMessage, Map.of(), false);
    }

    /** A member's role in a group: {@code owner}, {@code admin} or {@code member}; null for a non-member. */
    public String roleOf(String userId) {
        if (!members.contains(userId)) {
            return null;
        }
        return roles.getOrDefault(userId, "member");
    }

    /** True when every entry the server is known to have is held locally. */
    public boolean caughtUp() {
        return lastSeq >= serverLastSeq;
    }

    /**
     * One member's watermarks in a conversation.
     *
     * @param userId       the member
     * @param deliveredSeq everything up to here reached one of the member's devices
     * @param readSeq      everything up to here was read by the member
     */
    public record Receipt(String userId, long deliveredSeq, long readSeq) {
    }
}
