package dev.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Http;
import dev.parley.protocol.SafetyHttp;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The HTTP half of the protocol, on the JDK's {@link HttpClient}. Blocking; call from any thread but the network's. */
final class HttpApiClient {
    private final HttpClient http;
    private final URI base;
    private final Duration timeout;

    HttpApiClient(HttpClient http, URI base, Duration timeout) {
        this.http = http;
        this.base = base;
        this.timeout = timeout;
    }

    Http.AccountCreated createAccount(String handle, String password, String displayName) {
        return call("POST", "/v1/accounts", null, new Http.CreateAccount(handle, password, displayName),
                Http.AccountCreated.class);
    }

    Http.SessionCreated createSession(String handle, String password, String deviceName) {
        return call("POST", "/v1/sessions", null, new Http.CreateSession(handle, password, deviceName),
                Http.SessionCreated.class);
    }

    void deleteSession(String token) {
        call("DELETE", "/v1/sessions/current", token, null, Void.class);
    }

    Http.User changeDisplayName(String token, String displayName) {
        return call("PATCH", "/v1/me", token, new Http.ProfileChange(displayName), Http.User.class);
    }

    void changePassword(String token, String oldPassword, String newPassword) {
        call("PUT", "/v1/me/password", token, new Http.PasswordChange(oldPassword, newPassword), Void.class);
    }

    Http.SessionList sessions(String token) {
        return call("GET", "/v1/me/sessions", token, null, Http.SessionList.class);
    }

    void revokeSession(String token, String deviceId) {
        call("DELETE", "/v1/me/sessions/" + enc(deviceId), token, null, Void.class);
    }

    void deleteAccount(String token) {
        call("DELETE", "/v1/me", token, null, Void.class);
    }

    Http.User me(String token) {
        return call("GET", "/v1/me", token, null, Http.User.class);
    }

    Optional<Http.User> userByHandle(String token, String handle) {
        try {
            return Optional.of(call("GET", "/v1/users?handle=" + enc(handle), token, null, Http.User.class));
        } catch (ParleyException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Http.User user(String token, String userId) {
        return call("GET", "/v1/users/" + enc(userId), token, null, Http.User.class);
    }

    ConversationView createConversation(String token, ConversationKind kind, List<String> members, String title, boolean e2ee) {
        return call("POST", "/v1/conversations", token, new Http.CreateConversation(kind, members, title, e2ee),
                ConversationView.class);
    }

    ConversationView addMembers(String token, String conversationId, List<String> userIds) {
        record Body(List<String> userIds) {
        }
        return call("POST", "/v1/conversations/" + enc(conversationId) + "/members", token, new Body(userIds),
                ConversationView.class);
    }

    ConversationView rename(String token, String conversationId, String title) {
        return call("PATCH", "/v1/conversations/" + enc(conversationId), token, new Http.ConversationChange(title),
                ConversationView.class);
    }

    ConversationView setRole(String token, String conversationId, String userId, String role) {
        return call("PUT", "/v1/conversations/" + enc(conversationId) + "/members/" + enc(userId), token,
                new Http.MemberRole(role), ConversationView.class);
    }

    ConversationView accept(String token, String conversationId) {
        return call("POST", "/v1/conversations/" + enc(conversationId) + "/accept", token, null, ConversationView.class);
    }

    void removeMember(String token, String conversationId, String userId) {
        call("DELETE", "/v1/conversations/" + enc(conversationId) + "/members/" + enc(userId), token, null, Void.class);
    }

    Http.ConversationList conversations(String token, String since) {
        String q = since == null ? "" : "?since=" + enc(since);
        return call("GET", "/v1/conversations" + q, token, null, Http.ConversationList.class);
    }

    Http.MessagePage messagesBefore(String token, String conversationId, long beforeSeq, int limit) {
        return call("GET", "/v1/conversations/" + enc(conversationId) + "/messages?before=" + beforeSeq + "&limit=" + limit,
                token, null, Http.MessagePage.class);
    }

    Http.SearchResults search(String token, String words, String conversationId, int limit) {
        String q = "?q=" + enc(words) + "&limit=" + limit + (conversationId == null ? "" : "&conversationId=" + enc(conversationId));
        return call("GET", "/v1/search" + q, token, null, Http.SearchResults.class);
    }

    void block(String token, String userId) {
        call("PUT", "/v1/me/blocks/" + enc(userId), token, null, Void.class);
    }

    void unblock(String token, String userId) {
        call("DELETE", "/v1/me/blocks/" + enc(userId), token, null, Void.class);
    }

    SafetyHttp.BlockList blocks(String token) {
        return call("GET", "/v1/me/blocks", token, null, SafetyHttp.BlockList.class);
    }

    SafetyHttp.ReportCreated report(String token, SafetyHttp.CreateReport report) {
        return call("POST", "/v1/reports", token, report, SafetyHttp.ReportCreated.class);
    }

    String pushSubscribe(String token, PushProvider provider, String deviceToken) {
        return call("POST", "/v1/push/subscriptions", token,
                new Http.CreatePushSubscription(provider.wire(), null, null, deviceToken),
                Http.PushSubscriptionCreated.class).subscriptionId();
    }

    List<Http.PushSubscriptionView> pushSubscriptions(String token) {
        return call("GET", "/v1/push/subscriptions", token, null, Http.PushSubscriptionList.class).subscriptions();
    }

    void pushUnsubscribe(String token, String subscriptionId) {
        call("DELETE", "/v1/push/subscriptions/" + enc(subscriptionId), token, null, Void.class);
    }

    void setMuted(String token, String conversationId, boolean muted) {
        call("PUT", "/v1/conversations/" + enc(conversationId) + "/settings", token,
                new Http.ConversationSettings(muted), Http.ConversationSettings.class);
    }

    /** One claimed KeyPackage: a device of a user and its package (base64 MLSMessage). */
    record ClaimedKeyPackage(String userId, String deviceId, String keyPackage) {
    }

    private record KeyPackageUpload(List<String> keyPackages) {
    }

    private record KeyPackageCount(int count) {
    }

    private record ClaimRequest(List<String> userIds) {
    }

    private record ClaimAnswer(List<ClaimedKeyPackage> keyPackages) {
    }

    /** Uploads KeyPackages for this device; returns how many the server holds for it now. */
    int uploadKeyPackages(String token, List<String> keyPackages) {
        return call("POST", "/v1/mls/key-packages", token, new KeyPackageUpload(keyPackages), KeyPackageCount.class)
                .count();
    }

    int keyPackageCount(String token) {
        return call("GET", "/v1/mls/key-packages/count", token, null, KeyPackageCount.class).count();
    }

    /** One KeyPackage for every device of each user named (each handed out once). */
    List<ClaimedKeyPackage> claimKeyPackages(String token, List<String> userIds) {
        ClaimAnswer a = call("POST", "/v1/mls/key-packages/claim", token, new ClaimRequest(userIds), ClaimAnswer.class);
        return a == null || a.keyPackages() == null ? List.of() : a.keyPackages();
    }

    /** A leaf of a revoked device in one of the caller's e2ee conversations. */
    record RevokedLeaf(long leafIndex, String userId, String deviceId) {
    }

    record RevokedLeaves(String conversationId, long epoch, List<RevokedLeaf> leaves) {
    }

    record RevokedAnswer(List<RevokedLeaves> conversations) {
    }

    /** The caller's e2ee conversations whose groups hold leaves of revoked devices ({@code GET /v1/mls/revoked-leaves}). */
    List<RevokedLeaves> revokedLeaves(String token) {
        RevokedAnswer a = call("GET", "/v1/mls/revoked-leaves", token, null, RevokedAnswer.class);
        return a == null || a.conversations() == null ? List.of() : a.conversations();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private <T> T call(String method, String path, String token, Object body, Class<T> type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.encodeBytes(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> res;
        try {
            res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "cannot reach the server: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "interrupted", e);
        }
        int status = res.statusCode();
        if (status >= 200 && status < 300) {
            if (type == Void.class || res.body().length == 0) {
                return null;
            }
            try {
                return Json.mapper().readValue(res.body(), type);
            } catch (IOException e) {
                throw new ParleyException(ErrorCode.INTERNAL, status, "unreadable answer from the server", e);
            }
        }
        throw error(status, res.body());
    }

    static ParleyException error(int status, byte[] body) {
        ErrorCode code = codeFor(status);
        String message = "HTTP " + status;
        try {
            JsonNode err = Json.mapper().readTree(body).path("error");
            if (err.hasNonNull("code")) {
                for (ErrorCode c : ErrorCode.values()) {
                    if (c.wire().equals(err.get("code").asText())) {
                        code = c;
                    }
                }
            }
            if (err.hasNonNull("message")) {
                message = err.get("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // Not a JSON error body; the status says enough.
        }
        return new ParleyException(code, status, message, null);
    }

    private static ErrorCode codeFor(int status) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.httpStatus() == status) {
                return c;
            }
        }
        return status >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.BAD_REQUEST;
    }
}
