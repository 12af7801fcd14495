package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A conversation as one member sees it: the shared fields plus that member's own watermarks and unread
 * count. Sent over HTTP in lists and over the WebSocket as a {@code conversation} frame when a
 * conversation is created or its membership changes.
 *
 * @param receipts every member's watermarks, so a client can draw delivered/read ticks after a reload
 * @param lastMessage the newest text or media entry, for list previews (null when there is none)
 * @param epoch the MLS epoch of an e2ee conversation (0 until the first Commit); null for other conversations
 * @param roles each member's role in a group ({@code owner}, {@code admin} or {@code member}); null for a direct
 *              conversation, which has no roles
 * @param request true when this is a message request for the viewer: a direct conversation someone else opened
 *     that the viewer has not accepted or sent anything in yet (docs/security.md, "Privacy of presence");
 *     absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConversationView(
        String conversationId,
        ConversationKind kind,
        String title,
        List<String> members,
        boolean e2ee,
        long lastSeq,
        long readSeq,
        long deliveredSeq,
        long unread,
        List<MemberReceipt> receipts,
        Message lastMessage,
        Long createdAtMs,
        Long epoch,
        Map<String, String> roles,
        Boolean request) implements ServerFrame {

    public ConversationView {
        roles = roles == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    }

    /** A view without the per-viewer request flag. */
    public ConversationView(String conversationId, ConversationKind kind, String title, List<String> members,
                            boolean e2ee, long lastSeq, long readSeq, long deliveredSeq, long unread,
                            List<MemberReceipt> receipts, Message lastMessage, Long createdAtMs, Long epoch,
                            Map<String, String> roles) {
        this(conversationId, kind, title, members, e2ee, lastSeq, readSeq, deliveredSeq, unread, receipts,
                lastMessage, createdAtMs, epoch, roles, null);
    }

    /** A view without roles (a direct conversation) and without the request flag. */
    public ConversationView(String conversationId, ConversationKind kind, String title, List<String> members,
                            boolean e2ee, long lastSeq, long readSeq, long deliveredSeq, long unread,
                            List<MemberReceipt> receipts, Message lastMessage, Long createdAtMs, Long epoch) {
        this(conversationId, kind, title, members, e2ee, lastSeq, readSeq, deliveredSeq, unread, receipts,
                lastMessage, createdAtMs, epoch, null, null);
    }

    /** This view with the request flag set ({@code true}) or left out ({@code false}). */
    public ConversationView withRequest(boolean isRequest) {
        return new ConversationView(conversationId, kind, title, members, e2ee, lastSeq, readSeq, deliveredSeq, unread,
                receipts, lastMessage, createdAtMs, epoch, roles, isRequest ? Boolean.TRUE : null);
    }

    /** A view without an MLS epoch (a conversation without e2ee). */
    public ConversationView(String conversationId, ConversationKind kind, String title, List<String> members,
                            boolean e2ee, long lastSeq, long readSeq, long deliveredSeq, long unread,
                            List<MemberReceipt> receipts, Message lastMessage, Long createdAtMs) {
        this(conversationId, kind, title, members, e2ee, lastSeq, readSeq, deliveredSeq, unread, receipts,
                lastMessage, createdAtMs, null, null, null);
    }

    public static final String OWNER = "owner";
    public static final String ADMIN = "admin";
    public static final String MEMBER = "member";

    /** One member's watermarks. */
    public record MemberReceipt(String userId, long deliveredSeq, long readSeq) {
    }
}
