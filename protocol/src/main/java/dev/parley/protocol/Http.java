package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Bodies of the HTTP API under {@code /v1}. */
public final class Http {
    private Http() {
    }

    public record CreateAccount(String handle, String password, String displayName) {
        @Override
        public String toString() {
            return "CreateAccount[handle=" + handle + "]";
        }
    }

    public record AccountCreated(String userId, String handle) {
    }

    public record CreateSession(String handle, String password, String deviceName) {
        @Override
        public String toString() {
            return "CreateSession[handle=" + handle + "]";
        }
    }

    public record SessionCreated(String token, String userId, String deviceId) {
        @Override
        public String toString() {
            return "SessionCreated[userId=" + userId + ", deviceId=" + deviceId + "]";
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(String userId, String handle, String displayName) {
    }

    public record CreateConversation(ConversationKind kind, List<String> members, String title, Boolean e2ee) {
    }

    /** Members to add to a group: {@code POST /v1/conversations/{id}/members}. */
    public record AddMembers(List<String> userIds) {
    }

    /** Body of {@code PATCH /v1/conversations/{id}}: the group's new title. */
    public record ConversationChange(String title) {
    }

    /** Body of {@code PUT /v1/conversations/{id}/members/{userId}}: {@code owner}, {@code admin} or {@code member}. */
    public record MemberRole(String role) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConversationList(List<ConversationView> conversations, List<String> removed, String syncToken) {
    }

    public record MessagePage(List<Message> messages, boolean hasMore) {
    }

    /**
     * One message found by {@code GET /v1/search}: {@code snippet} is plain text around the matched words, with an
     * ellipsis where text was left out.
     */
    public record SearchResult(String conversationId, long seq, String senderId, long sentAtMs, String snippet) {
    }

    /** Body of {@code PATCH /v1/me}. */
    public record ProfileChange(String displayName) {
    }

    /** Body of {@code PUT /v1/me/password}. */
    public record PasswordChange(String oldPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[***]";
        }
    }

    /**
     * One signed-in device of the caller ({@code GET /v1/me/sessions}). {@code lastSeenMs} is written at most about
     * once an hour per device, so it may lag by that much; {@code current} marks the session asking.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceSession(String deviceId, String deviceName, long createdAtMs, long lastSeenMs,
                                boolean current) {
    }

    /** The answer of {@code GET /v1/me/sessions}, oldest first. */
    public record SessionList(List<DeviceSession> sessions) {
        public SessionList {
            sessions = List.copyOf(sessions);
        }
    }

    /** The answer of {@code GET /v1/search}, best match first. */
    public record SearchResults(List<SearchResult> results) {
        public SearchResults {
            results = List.copyOf(results);
        }
    }

    /**
     * {@code POST /v1/push/subscriptions}: {@code type} {@code webpush} with {@code endpoint} and {@code keys}, or
     * {@code fcm} / {@code apns} with the device's {@code token}.
     */
    public record CreatePushSubscription(String type, String endpoint, PushKeys keys, String token) {
        @Override
        public String toString() {
            return "CreatePushSubscription[type=" + type + "]";
        }
    }

    /** A browser's Web Push keys (RFC 8291): its P-256 public key and the 16-byte authentication secret, base64url. */
    public record PushKeys(String p256dh, String auth) {
        @Override
        public String toString() {
            return "PushKeys[<hidden>]";
        }
    }

    public record PushSubscriptionCreated(String subscriptionId) {
    }

    /** One push subscription of the caller's device; the endpoint or token itself is not echoed back. */
    public record PushSubscriptionView(String subscriptionId, String type, long createdAtMs) {
    }

    public record PushSubscriptionList(List<PushSubscriptionView> subscriptions) {
    }

    /** {@code GET /v1/push/vapid}: the installation's VAPID public key, base64url of the uncompressed P-256 point. */
    public record VapidKey(String publicKey) {
    }

    /** {@code PUT /v1/conversations/{id}/settings}: the caller's own settings for one conversation. */
    public record ConversationSettings(Boolean muted) {
    }

    public record ErrorBody(ErrorDetail error) {
        public static ErrorBody of(ErrorCode code, String message) {
            return new ErrorBody(new ErrorDetail(code, message, null));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ErrorDetail(ErrorCode code, String message, Long retryAfterMs) {
    }
}
