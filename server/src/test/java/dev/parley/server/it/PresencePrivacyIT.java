package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box, over the WebSocket and HTTP of a real node: privacy of presence (docs/security.md). A stranger who
 * opens a conversation learns nothing of the other person's presence (no snapshot entry, no live event, no last
 * seen) until that person accepts or replies; then it flows both ways. The accept route's authorization.
 */
class PresencePrivacyIT {
    @TempDir
    static Path dataDir;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServers.sqlite(dataDir);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static boolean presenceOf(JsonNode f, Api.Session who) {
        return "presence".equals(f.path("t").asText()) && who.userId().equals(f.path("userId").asText());
    }

    private static JsonNode view(Api.Session viewer, String conversationId) {
        Api.Response r = api.get("/v1/conversations/" + conversationId, viewer.token());
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    private static JsonNode listed(Api.Session viewer, String conversationId) {
        for (JsonNode c : api.get("/v1/conversations", viewer.token()).body().path("conversations")) {
            if (c.path("conversationId").asText().equals(conversationId)) {
                return c;
            }
        }
        throw new AssertionError("not listed: " + conversationId);
    }

    private static Api.Response accept(String token, String conversationId) {
        return api.post("/v1/conversations/" + conversationId + "/accept", token, "");
    }

    @Test
    void aStrangerSeesNoPresenceUntilTheRecipientAcceptsThenItFlowsBothWays() {
        var rita = api.user("pp_rita");
        var stranger = api.user("pp_stranger");
        try (var r1 = WsClient.connect(server.port(), rita.token())) {
            String dm = api.direct(stranger, rita);
            assertThat(view(rita, dm).path("request").asBoolean()).isTrue();
            assertThat(listed(rita, dm).path("request").asBoolean()).isTrue();
            assertThat(view(stranger, dm).has("request")).isFalse();
            // Rita sees the stranger, who chose to talk to her.
            try (var s = WsClient.connect(server.port(), stranger.token())) {
                assertThat(r1.await(f -> presenceOf(f, stranger)).path("state").asText()).isEqualTo("online");
                // Rita's presence changes (offline with a last seen, online again): the stranger hears nothing.
                r1.close();
                try (var r2 = WsClient.connect(server.port(), rita.token())) {
                    r2.call("ping");
                    s.call("ping");
                    assertThat(s.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, rita));

                    JsonNode accepted = accept(rita.token(), dm).body();
                    assertThat(accepted.path("conversationId").asText()).isEqualTo(dm);
                    assertThat(accepted.has("request")).isFalse();
                    assertThat(listed(rita, dm).has("request")).isFalse();
                    // On one topic events keep their order: a leaked "offline" would have come first.
                    JsonNode first = s.await(f -> presenceOf(f, rita));
                    assertThat(first.path("state").asText()).isEqualTo("online");
                    // Rita's other devices get the view without the request flag.
                    JsonNode refreshed = r2.await(f -> "conversation".equals(f.path("t").asText())
                            && dm.equals(f.path("conversationId").asText()));
                    assertThat(refreshed.has("request")).isFalse();
                }
                JsonNode offline = s.await(f -> presenceOf(f, rita) && "offline".equals(f.path("state").asText()));
                assertThat(offline.path("lastSeenMs").asLong()).isPositive();
            }
            // A new socket of the stranger gets Rita in its snapshot now, with her last seen.
            try (var s2 = WsClient.connect(server.port(), stranger.token())) {
                assertThat(s2.await(f -> presenceOf(f, rita)).path("lastSeenMs").asLong()).isPositive();
            }
        }
    }

    @Test
    void theSnapshotAfterWelcomeLeavesOutWhoeverHasNotChosenToTalk() {
        var rita = api.user("pp_rita2");
        var stranger = api.user("pp_stranger2");
        var friend = api.user("pp_friend2");
        api.direct(stranger, rita);
        String withFriend = api.direct(friend, rita);
        api.accept(rita, withFriend);
        try (var r = WsClient.connect(server.port(), rita.token());
             var f = WsClient.connect(server.port(), friend.token())) {
            f.await(x -> presenceOf(x, rita));
            try (var s = WsClient.connect(server.port(), stranger.token())) {
                // The snapshot comes right after welcome, before the answer to a first ping.
                s.call("ping");
                assertThat(s.drain("presence", Duration.ZERO)).isEmpty();
                // The friend's own snapshot had Rita; a fresh one still has.
                try (var f2 = WsClient.connect(server.port(), friend.token())) {
                    assertThat(f2.await(x -> presenceOf(x, rita)).path("state").asText()).isEqualTo("online");
                }
            }
        }
    }

    @Test
    void replyingEngagesAsAcceptingDoes() {
        var rita = api.user("pp_rita3");
        var stranger = api.user("pp_stranger3");
        String dm = api.direct(stranger, rita);
        try (var s = WsClient.connect(server.port(), stranger.token());
             var r = WsClient.connect(server.port(), rita.token())) {
            r.call("ping");
            s.call("ping");
            assertThat(s.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, rita));
            assertThat(r.call("send", "conversationId", dm, "clientMsgId", "r1", "body", "who is this?")
                    .path("t").asText()).isEqualTo("sent");
            assertThat(s.await(f -> presenceOf(f, rita)).path("state").asText()).isEqualTo("online");
            assertThat(view(rita, dm).has("request")).isFalse();
        }
    }

    @Test
    void someoneAddedToAGroupByAStrangerStaysHiddenUntilTheyAccept() {
        var rita = api.user("pp_rita4");
        var stranger = api.user("pp_stranger4");
        var other = api.user("pp_other4");
        try (var s = WsClient.connect(server.port(), stranger.token());
             var o = WsClient.connect(server.port(), other.token());
             var r = WsClient.connect(server.port(), rita.token())) {
            String group = api.group(stranger, "spam", other);
            o.await(f -> "conversation".equals(f.path("t").asText()));
            assertThat(api.post("/v1/conversations/" + group + "/members", stranger.token(),
                    Map.of("userIds", List.of(rita.userId()))).status()).isEqualTo(200);
            r.await(f -> "conversation".equals(f.path("t").asText()) && group.equals(f.path("conversationId").asText()));
            // Group invitations are not message requests, but they show nothing of Rita either.
            assertThat(view(rita, group).has("request")).isFalse();
            s.call("ping");
            o.call("ping");
            assertThat(s.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, rita));
            assertThat(o.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, rita));

            assertThat(accept(rita.token(), group).status()).isEqualTo(200);
            assertThat(s.await(f -> presenceOf(f, rita)).path("state").asText()).isEqualTo("online");
            assertThat(o.await(f -> presenceOf(f, rita)).path("state").asText()).isEqualTo("online");
        }
    }

    @Test
    void aBlockHidesPresenceBothWaysUntilItIsLifted() {
        var ann = api.user("pp_ann6");
        var ben = api.user("pp_ben6");
        api.accept(ben, api.direct(ann, ben));
        try (var a = WsClient.connect(server.port(), ann.token())) {
            var b1 = WsClient.connect(server.port(), ben.token());
            assertThat(a.await(f -> presenceOf(f, ben)).path("state").asText()).isEqualTo("online");
            assertThat(b1.await(f -> presenceOf(f, ann)).path("state").asText()).isEqualTo("online");

            assertThat(api.call("PUT", "/v1/me/blocks/" + ann.userId(), ben.token(), null).status()).isEqualTo(204);
            // Neither sees the other: not in a snapshot, not live.
            try (var a2 = WsClient.connect(server.port(), ann.token())) {
                a2.call("ping");
                assertThat(a2.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, ben));
            }
            assertThat(b1.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, ann));
            b1.close();
            var b2 = WsClient.connect(server.port(), ben.token());
            b2.call("ping");
            assertThat(b2.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, ann));

            assertThat(api.delete("/v1/me/blocks/" + ann.userId(), ben.token()).status()).isEqualTo(204);
            long lifted = System.currentTimeMillis();
            b2.close();
            // The first news of Ben is this last disconnect: nothing of the two changes while blocked leaked.
            JsonNode first = a.await(f -> presenceOf(f, ben));
            assertThat(first.path("state").asText()).isEqualTo("offline");
            assertThat(first.path("lastSeenMs").asLong()).isGreaterThanOrEqualTo(lifted);
        }
    }

    @Test
    void acceptNeedsAValidSessionAndMembership() {
        var rita = api.user("pp_rita5");
        var stranger = api.user("pp_stranger5");
        var outsider = api.user("pp_outsider5");
        String dm = api.direct(stranger, rita);
        String elsewhere = api.direct(outsider, stranger); // the outsider is a plain member of another conversation

        assertThat(accept(null, dm).status()).isEqualTo(401);
        assertThat(accept("not-a-token", dm).status()).isEqualTo(401);
        Api.Response strangerToIt = accept(outsider.token(), dm);
        assertThat(strangerToIt.status()).isEqualTo(404);
        assertThat(strangerToIt.body().path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(accept(outsider.token(), elsewhere).status()).isEqualTo(200);
        assertThat(accept(rita.token(), "cnv_does_not_exist").status()).isEqualTo(404);
        assertThat(accept(rita.token(), "x".repeat(300)).status()).isEqualTo(400);
        // Still a request: nothing was written by the refused calls.
        assertThat(view(rita, dm).path("request").asBoolean()).isTrue();

        var revoked = api.signIn("pp_rita5");
        assertThat(api.delete("/v1/sessions/current", revoked.token()).status()).isEqualTo(204);
        assertThat(accept(revoked.token(), dm).status()).isEqualTo(401);
        assertThat(view(rita, dm).path("request").asBoolean()).isTrue();

        Api.Response ok = accept(rita.token(), dm);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().has("request")).isFalse();
        assertThat(accept(rita.token(), dm).status()).isEqualTo(200); // idempotent
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
    }
}
