package dev.parley.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account routes over real HTTP and WebSocket against a real node: name changes, password changes that sign
 * out every other session (their open sockets close with 4401), the session list with revoke, and account
 * deletion; every route refuses a missing or revoked session, and nobody reaches another person's sessions.
 */
class AccountSettingsIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServers.sqlite(data);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Api.Response patch(String path, String token, Object body) {
        return api.call("PATCH", path, token, Json.encode(body));
    }

    static Api.Response put(String path, String token, Object body) {
        return api.call("PUT", path, token, body instanceof String s ? s : Json.encode(body));
    }

    @Test
    void theDisplayNameChangesForEveryoneAndBlankMeansTheHandle() {
        var alice = api.user("acc_alice");
        var bob = api.user("acc_bob");

        var changed = patch("/v1/me", alice.token(), Map.of("displayName", "  Alice Liddell "));

        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body().path("displayName").asText()).isEqualTo("Alice Liddell");
        assertThat(api.get("/v1/users/" + alice.userId(), bob.token()).body().path("displayName").asText())
                .isEqualTo("Alice Liddell");
        assertThat(patch("/v1/me", alice.token(), Map.of("displayName", " ")).body().path("displayName").asText())
                .isEqualTo("acc_alice");
        for (String bad : List.of("{}", "{\"displayName\": 42}", "{\"displayName\": \"" + "x".repeat(300) + "\"}",
                "[1]", "not json")) {
            var r = api.call("PATCH", "/v1/me", alice.token(), bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.body().path("error").path("code").asText()).as(bad).isEqualTo("bad_request");
        }
    }

    @Test
    void aPasswordChangeSignsOutEveryOtherSessionAndClosesTheirSockets() {
        var here = api.user("acc_pw");
        var other = api.signIn("acc_pw");
        try (WsClient otherSocket = WsClient.connect(server.port(), other.token())) {
            var wrong = put("/v1/me/password", here.token(),
                    Map.of("oldPassword", "not-my-password", "newPassword", "a-new-secret-1"));
            assertThat(wrong.status()).isEqualTo(403);
            assertThat(wrong.body().path("error").path("code").asText()).isEqualTo("forbidden");
            assertThat(api.get("/v1/me", other.token()).status()).as("nothing changed yet").isEqualTo(200);
            assertThat(put("/v1/me/password", here.token(), Map.of("oldPassword", "pw-acc_pw-secret",
                    "newPassword", "x")).status()).as("too short").isEqualTo(400);

            var ok = put("/v1/me/password", here.token(),
                    Map.of("oldPassword", "pw-acc_pw-secret", "newPassword", "a-new-secret-1"));

            assertThat(ok.status()).isEqualTo(204);
            assertThat(otherSocket.awaitClose()).isEqualTo(4401);
        }
        assertThat(api.get("/v1/me", other.token()).status()).isEqualTo(401);
        assertThat(api.get("/v1/me", here.token()).status()).as("the session that changed it stays").isEqualTo(200);
        assertThat(api.post("/v1/sessions", null, Map.of("handle", "acc_pw", "password", "pw-acc_pw-secret")).status())
                .isEqualTo(401);
        assertThat(api.post("/v1/sessions", null, Map.of("handle", "acc_pw", "password", "a-new-secret-1")).status())
                .isEqualTo(201);
    }

    @Test
    void sessionsAreListedAndOnlyTheOwnerCanSignOneOut() {
        var first = api.user("acc_sessions");
        var second = api.signIn("acc_sessions");
        var stranger = api.user("acc_stranger");

        var listed = api.get("/v1/me/sessions", second.token());

        assertThat(listed.status()).isEqualTo(200);
        var sessions = listed.body().path("sessions");
        assertThat(sessions).hasSize(2);
        assertThat(sessions.get(0).path("deviceId").asText()).isEqualTo(first.deviceId());
        assertThat(sessions.get(0).path("current").asBoolean()).isFalse();
        assertThat(sessions.get(1).path("deviceId").asText()).isEqualTo(second.deviceId());
        assertThat(sessions.get(1).path("current").asBoolean()).isTrue();
        assertThat(sessions.get(1).path("createdAtMs").asLong()).isPositive();
        assertThat(sessions.get(1).path("lastSeenMs").asLong()).isPositive();
        assertThat(sessions.get(1).has("deviceName")).isTrue();

        assertThat(api.delete("/v1/me/sessions/" + first.deviceId(), stranger.token()).status())
                .as("another person's session").isEqualTo(404);
        assertThat(api.get("/v1/me", first.token()).status()).isEqualTo(200);
        assertThat(api.delete("/v1/me/sessions/dev_unknown", second.token()).status()).isEqualTo(404);

        try (WsClient firstSocket = WsClient.connect(server.port(), first.token())) {
            assertThat(api.delete("/v1/me/sessions/" + first.deviceId(), second.token()).status()).isEqualTo(204);
            assertThat(firstSocket.awaitClose()).isEqualTo(4401);
        }
        assertThat(api.get("/v1/me", first.token()).status()).isEqualTo(401);
        assertThat(api.delete("/v1/me/sessions/" + first.deviceId(), second.token()).status()).as("again").isEqualTo(404);
        assertThat(api.get("/v1/me/sessions", second.token()).body().path("sessions")).hasSize(1);
    }

    @Test
    void aDeletedAccountIsSignedOutEverywhereLosesItsProfileAndFreesItsHandle() {
        var gone = api.user("acc_gone");
        var phone = api.signIn("acc_gone");
        var friend = api.user("acc_friend");
        String c = api.group(gone, "Leaving party", friend);
        try (WsClient s = WsClient.connect(server.port(), gone.token())) {
            s.call("send", "conversationId", c, "clientMsgId", "bye", "body", "goodbye everyone");
        }
        patch("/v1/me", gone.token(), Map.of("displayName", "Soon Gone"));

        try (WsClient phoneSocket = WsClient.connect(server.port(), phone.token())) {
            assertThat(api.delete("/v1/me", gone.token()).status()).isEqualTo(204);
            assertThat(phoneSocket.awaitClose()).isEqualTo(4401);
        }

        assertThat(api.get("/v1/me", gone.token()).status()).isEqualTo(401);
        assertThat(api.get("/v1/me", phone.token()).status()).isEqualTo(401);
        var profile = api.get("/v1/users/" + gone.userId(), friend.token()).body();
        assertThat(profile.path("handle").asText()).startsWith("deleted-");
        assertThat(profile.path("displayName").asText()).isNotEqualTo("Soon Gone");
        assertThat(api.get("/v1/conversations/" + c + "/messages", friend.token()).body().path("messages"))
                .anySatisfy(m -> assertThat(m.path("body").asText()).isEqualTo("goodbye everyone"));
        assertThat(api.post("/v1/sessions", null, Map.of("handle", "acc_gone", "password", "pw-acc_gone-secret"))
                .status()).isEqualTo(401);
        var again = api.user("acc_gone");
        assertThat(again.userId()).as("the handle is free for someone new").isNotEqualTo(gone.userId());
    }

    @Test
    void everyRouteNeedsALiveSession() {
        var user = api.user("acc_auth");
        var revoked = api.signIn("acc_auth");
        assertThat(api.delete("/v1/sessions/current", revoked.token()).status()).isEqualTo(204);
        for (String token : new String[] {null, "pt_not-a-token", revoked.token()}) {
            assertThat(patch("/v1/me", token, Map.of("displayName", "x")).status()).isEqualTo(401);
            assertThat(put("/v1/me/password", token, Map.of("oldPassword", "a", "newPassword", "bbbbbbbb")).status())
                    .isEqualTo(401);
            assertThat(api.get("/v1/me/sessions", token).status()).isEqualTo(401);
            assertThat(api.delete("/v1/me/sessions/" + user.deviceId(), token).status()).isEqualTo(401);
            assertThat(api.delete("/v1/me", token).status()).isEqualTo(401);
        }
        assertThat(api.get("/v1/me", user.token()).status()).as("nothing happened to the account").isEqualTo(200);
    }
}
