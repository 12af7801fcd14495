package dev.parley.server.safety;

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
 * Blocking over real HTTP and WebSocket against a real node (SQLite): the block routes with their refusals, a
 * blocked user's sends into the direct conversation refused with {@code forbidden}, and the blocker getting none
 * of the blocked user's live entries, reactions, typing or receipts in a group while the others still do (the
 * entries stay in the synced log); typing does not reach the blocked user either; KeyPackage claims are refused.
 */
class BlockIT {
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

    static boolean is(JsonNode f, String t) {
        return t.equals(f.path("t").asText());
    }

    static String code(Api.Response r) {
        return r.body().path("error").path("code").asText();
    }

    static Api.Response put(String path, String token) {
        return api.call("PUT", path, token, null);
    }

    @Test
    void theBlockRoutesAreIdempotentListAndRefuseBadInput() {
        var alice = api.user("bl_alice");
        var bob = api.user("bl_bob");
        var carol = api.user("bl_carol");

        assertThat(put("/v1/me/blocks/" + bob.userId(), alice.token()).status()).isEqualTo(204);
        assertThat(put("/v1/me/blocks/" + bob.userId(), alice.token()).status()).as("again").isEqualTo(204);
        assertThat(put("/v1/me/blocks/" + carol.userId(), alice.token()).status()).isEqualTo(204);
        var listed = api.get("/v1/me/blocks", alice.token());
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body().path("blocks")).hasSize(2);
        assertThat(listed.body().path("blocks").get(0).path("userId").asText()).isEqualTo(bob.userId());
        assertThat(listed.body().path("blocks").get(0).path("handle").asText()).isEqualTo("bl_bob");
        assertThat(listed.body().path("blocks").get(0).path("blockedAtMs").asLong()).isPositive();
        assertThat(api.get("/v1/me/blocks", bob.token()).body().path("blocks")).as("one way only").isEmpty();

        assertThat(api.delete("/v1/me/blocks/" + carol.userId(), alice.token()).status()).isEqualTo(204);
        assertThat(api.delete("/v1/me/blocks/" + carol.userId(), alice.token()).status()).as("again").isEqualTo(204);
        assertThat(api.get("/v1/me/blocks", alice.token()).body().path("blocks")).hasSize(1);

        var self = put("/v1/me/blocks/" + alice.userId(), alice.token());
        assertThat(self.status()).isEqualTo(400);
        assertThat(code(self)).isEqualTo("bad_request");
        var unknown = put("/v1/me/blocks/usr_nosuchuser", alice.token());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(code(unknown)).isEqualTo("not_found");
        assertThat(api.delete("/v1/me/blocks/usr_nosuchuser", alice.token()).status()).isEqualTo(404);
        assertThat(put("/v1/me/blocks/" + "u".repeat(100), alice.token()).status()).isEqualTo(400);
    }

    @Test
    void everyBlockRouteNeedsALiveSession() {
        var dave = api.user("bl_dave");
        var second = api.signIn("bl_dave");
        var erin = api.user("bl_erin");
        assertThat(api.delete("/v1/sessions/current", second.token()).status()).isEqualTo(204);
        for (String token : new String[] {null, second.token(), "pt_garbage"}) {
            for (var r : List.of(put("/v1/me/blocks/" + erin.userId(), token),
                    api.delete("/v1/me/blocks/" + erin.userId(), token), api.get("/v1/me/blocks", token))) {
                assertThat(r.status()).isEqualTo(401);
                assertThat(code(r)).isEqualTo("unauthorized");
            }
        }
        assertThat(api.get("/v1/me/blocks", dave.token()).body().path("blocks")).isEmpty();
    }

    @Test
    void aBlockedUsersDirectSendsAreRefusedUntilUnblocked() {
        var alice = api.user("bl_dm_alice");
        var bob = api.user("bl_dm_bob");
        String dm = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token());
             var b = WsClient.connect(server.port(), bob.token())) {
            assertThat(b.call("send", "conversationId", dm, "clientMsgId", "m1", "body", "hi").path("t").asText())
                    .isEqualTo("sent");
            a.await(f -> is(f, "message") && "hi".equals(f.path("body").asText()));
            assertThat(put("/v1/me/blocks/" + bob.userId(), alice.token()).status()).isEqualTo(204);

            JsonNode refused = b.call("send", "conversationId", dm, "clientMsgId", "m2", "body", "let me in");
            assertThat(refused.path("t").asText()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("forbidden");
            JsonNode react = b.call("react", "conversationId", dm, "target", 1, "emoji", "👍", "on", true,
                    "clientMsgId", "r1");
            assertThat(react.path("code").asText()).isEqualTo("forbidden");
            // The blocker still writes, and nothing of the refused send was stored.
            assertThat(a.call("send", "conversationId", dm, "clientMsgId", "a1", "body", "bye").path("t").asText())
                    .isEqualTo("sent");
            var log = api.get("/v1/conversations/" + dm + "/messages?after=0", bob.token()).body().path("messages");
            assertThat(log).extracting(n -> n.path("body").asText()).containsExactly("hi", "bye");
            assertThat(a.drain("message", Duration.ofMillis(300))).extracting(n -> n.path("body").asText())
                    .doesNotContain("let me in");

            assertThat(api.delete("/v1/me/blocks/" + bob.userId(), alice.token()).status()).isEqualTo(204);
            assertThat(b.call("send", "conversationId", dm, "clientMsgId", "m3", "body", "friends again")
                    .path("t").asText()).isEqualTo("sent");
            a.await(f -> is(f, "message") && "friends again".equals(f.path("body").asText()));
        }
    }

    @Test
    void theBlockerGetsNothingLiveFromTheBlockedUserInAGroupWhileOthersDo() {
        var alice = api.user("bl_g_alice");
        var bob = api.user("bl_g_bob");
        var carol = api.user("bl_g_carol");
        String g = api.group(alice, "Block party", bob, carol);
        assertThat(put("/v1/me/blocks/" + bob.userId(), alice.token()).status()).isEqualTo(204);
        try (var a = WsClient.connect(server.port(), alice.token());
             var b = WsClient.connect(server.port(), bob.token());
             var c = WsClient.connect(server.port(), carol.token())) {
            b.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + g + "\",\"state\":\"start\"}");
            c.await(f -> is(f, "typing") && bob.userId().equals(f.path("userId").asText()));
            JsonNode sent = b.call("send", "conversationId", g, "clientMsgId", "g1", "body", "from bob");
            assertThat(sent.path("t").asText()).isEqualTo("sent");
            c.await(f -> is(f, "message") && "from bob".equals(f.path("body").asText()));
            long bobSeq = sent.path("seq").asLong();
            assertThat(b.call("react", "conversationId", g, "target", bobSeq, "emoji", "🎉", "on", true,
                    "clientMsgId", "gr1").path("t").asText()).isEqualTo("ok");
            c.await(f -> is(f, "message") && "reaction".equals(f.path("kind").asText()));
            assertThat(b.call("read", "conversationId", g, "seq", bobSeq + 1).path("t").asText()).isEqualTo("ok");
            c.await(f -> is(f, "receipt") && bob.userId().equals(f.path("userId").asText()));
            // Alice's typing reaches Carol but not Bob.
            a.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + g + "\",\"state\":\"start\"}");
            c.await(f -> is(f, "typing") && alice.userId().equals(f.path("userId").asText()));
            // Carol's message reaches Alice: her socket is live and ordered, so Bob's would have come before it.
            assertThat(c.call("send", "conversationId", g, "clientMsgId", "c1", "body", "from carol").path("t")
                    .asText()).isEqualTo("sent");
            a.await(f -> is(f, "message") && "from carol".equals(f.path("body").asText()));
            b.await(f -> is(f, "message") && "from carol".equals(f.path("body").asText()));

            assertThat(a.drain("message", Duration.ofMillis(300))).as("nothing of Bob's reached Alice")
                    .noneMatch(f -> bob.userId().equals(f.path("senderId").asText()));
            assertThat(a.drain("typing", Duration.ZERO)).noneMatch(f -> bob.userId().equals(f.path("userId").asText()));
            assertThat(a.drain("receipt", Duration.ZERO)).noneMatch(f -> bob.userId().equals(f.path("userId").asText()));
            assertThat(b.drain("typing", Duration.ZERO)).noneMatch(f -> alice.userId().equals(f.path("userId").asText()));

            // Stored and synced: Alice's client hides them.
            JsonNode page = a.call("sync", "conversationId", g, "afterSeq", 0);
            assertThat(page.path("messages")).extracting(n -> n.path("senderId").asText()).contains(bob.userId());
        }
    }

    @Test
    void keyPackageClaimsAreRefusedForAUserWhoBlocksTheCaller() {
        var alice = api.user("bl_kp_alice");
        var bob = api.user("bl_kp_bob");
        var carol = api.user("bl_kp_carol");
        assertThat(put("/v1/me/blocks/" + bob.userId(), alice.token()).status()).isEqualTo(204);
        var refused = api.post("/v1/mls/key-packages/claim", bob.token(), Map.of("userIds", List.of(alice.userId())));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(code(refused)).isEqualTo("forbidden");
        assertThat(api.post("/v1/mls/key-packages/claim", carol.token(), Map.of("userIds", List.of(alice.userId())))
                .status()).isEqualTo(200);
        assertThat(api.post("/v1/mls/key-packages/claim", alice.token(), Map.of("userIds", List.of(bob.userId())))
                .status()).as("the blocker may still claim").isEqualTo(200);
    }
}
