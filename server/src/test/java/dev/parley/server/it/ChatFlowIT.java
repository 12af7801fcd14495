package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Black-box: a real node, real HTTP and WebSocket clients, the v1 contract end to end. Subclasses run
 * the same suite on each store.
 */
abstract class ChatFlowIT {
    static ParleyServer server;
    static Api api;

    static void use(ParleyServer started) {
        server = started;
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static boolean is(JsonNode f, String t) {
        return t.equals(f.path("t").asText());
    }

    @Test
    void twoUsersChatLiveWithReceiptsAndTyping() {
        var alice = api.user("alice1");
        var bob = api.user("bob1");
        String c = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token()); var b = WsClient.connect(server.port(), bob.token())) {
            JsonNode sent = a.call("send", "conversationId", c, "clientMsgId", "m1", "body", "hi bob");
            assertThat(sent.path("t").asText()).isEqualTo("sent");
            assertThat(sent.path("seq").asLong()).isEqualTo(1);
            assertThat(sent.path("clientMsgId").asText()).isEqualTo("m1");
            assertThat(sent.path("sentAtMs").asLong()).isPositive();

            JsonNode msg = b.await(f -> is(f, "message"));
            assertThat(msg.path("conversationId").asText()).isEqualTo(c);
            assertThat(msg.path("seq").asLong()).isEqualTo(1);
            assertThat(msg.path("body").asText()).isEqualTo("hi bob");
            assertThat(msg.path("senderId").asText()).isEqualTo(alice.userId());
            assertThat(msg.path("senderDeviceId").asText()).isEqualTo(alice.deviceId());
            assertThat(msg.path("kind").asText()).isEqualTo("text");

            b.sendRaw("{\"t\":\"delivered\",\"conversationId\":\"" + c + "\",\"seq\":1}");
            JsonNode delivered = a.await(f -> is(f, "receipt") && f.path("deliveredSeq").asLong() == 1);
            assertThat(delivered.path("userId").asText()).isEqualTo(bob.userId());
            assertThat(delivered.path("readSeq").asLong()).isZero();
            b.sendRaw("{\"t\":\"read\",\"conversationId\":\"" + c + "\",\"seq\":1}");
            JsonNode read = a.await(f -> is(f, "receipt") && f.path("readSeq").asLong() == 1);
            assertThat(read.path("userId").asText()).isEqualTo(bob.userId());

            a.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + c + "\",\"state\":\"start\"}");
            JsonNode typing = b.await(f -> is(f, "typing"));
            assertThat(typing.path("userId").asText()).isEqualTo(alice.userId());
            assertThat(typing.path("state").asText()).isEqualTo("start");
            a.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + c + "\",\"state\":\"stop\"}");
            assertThat(b.await(f -> is(f, "typing")).path("state").asText()).isEqualTo("stop");

            var list = api.get("/v1/conversations", bob.token()).body();
            JsonNode conv = list.path("conversations").get(0);
            assertThat(conv.path("lastSeq").asLong()).isEqualTo(1);
            assertThat(conv.path("readSeq").asLong()).isEqualTo(1);
            assertThat(conv.path("unread").asLong()).isZero();
        }
    }

    @Test
    void sendIsIdempotentOnClientMsgId() {
        var alice = api.user("alice2");
        var bob = api.user("bob2");
        String c = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token())) {
            long first = a.call("send", "conversationId", c, "clientMsgId", "dup", "body", "once").path("seq").asLong();
            long again = a.call("send", "conversationId", c, "clientMsgId", "dup", "body", "once").path("seq").asLong();
            assertThat(again).isEqualTo(first);
        }
        var history = api.get("/v1/conversations/" + c + "/messages?after=0", bob.token()).body();
        assertThat(history.path("messages")).hasSize(1);
    }

    @Test
    void presenceGoesOnlineAndOfflineWithLastSeen() {
        var alice = api.user("alice3");
        var bob = api.user("bob3");
        api.accept(bob, api.direct(alice, bob)); // both chose to talk: each sees the other
        try (var a = WsClient.connect(server.port(), alice.token())) {
            var b = WsClient.connect(server.port(), bob.token());
            assertThat(a.await(f -> is(f, "presence") && f.path("state").asText().equals("online"))
                    .path("userId").asText()).isEqualTo(bob.userId());
            // Bob's snapshot tells him Alice is online.
            assertThat(b.await(f -> is(f, "presence")).path("userId").asText()).isEqualTo(alice.userId());
            b.close();
            JsonNode offline = a.await(f -> is(f, "presence") && f.path("state").asText().equals("offline"));
            assertThat(offline.path("userId").asText()).isEqualTo(bob.userId());
            assertThat(offline.path("lastSeenMs").asLong()).isPositive();
        }
    }

    @Test
    void membersOfANewConversationLearnThePresenceOfThoseWhoChoseToTalk() {
        var alice = api.user("alice15");
        var bob = api.user("bob15");
        try (var a = WsClient.connect(server.port(), alice.token()); var b = WsClient.connect(server.port(), bob.token())) {
            String c = api.direct(alice, bob);
            assertThat(a.await(f -> is(f, "conversation")).path("conversationId").asText()).isEqualTo(c);
            // Alice opened the conversation: Bob sees her. Bob has not accepted: Alice learns nothing of him.
            assertThat(b.await(f -> is(f, "presence") && f.path("userId").asText().equals(alice.userId()))
                    .path("state").asText()).isEqualTo("online");
            a.call("ping");
            assertThat(a.drain("presence", Duration.ZERO)).isEmpty();

            api.accept(bob, c);
            assertThat(a.await(f -> is(f, "presence") && f.path("userId").asText().equals(bob.userId()))
                    .path("state").asText()).isEqualTo("online");
        }
    }

    @Test
    void offlineMemberCatchesUpWithSyncTokenAndSync() {
        var alice = api.user("alice4");
        var bob = api.user("bob4");
        String first = api.direct(alice, bob);
        var initial = api.get("/v1/conversations", bob.token()).body();
        String token = initial.path("syncToken").asText();
        assertThat(token).isNotEmpty();

        String group = api.group(alice, "plans", bob);
        try (var a = WsClient.connect(server.port(), alice.token())) {
            for (int i = 1; i <= 5; i++) {
                a.call("send", "conversationId", group, "clientMsgId", "g" + i, "body", "msg " + i);
            }
        }
        var changes = api.get("/v1/conversations?since=" + token, bob.token()).body();
        assertThat(changes.path("conversations")).extracting(n -> n.path("conversationId").asText())
                .containsExactly(group).doesNotContain(first);
        JsonNode g = changes.path("conversations").get(0);
        assertThat(g.path("lastSeq").asLong()).isEqualTo(5);
        assertThat(g.path("unread").asLong()).isEqualTo(5);
        var nothing = api.get("/v1/conversations?since=" + changes.path("syncToken").asText(), bob.token()).body();
        assertThat(nothing.path("conversations")).isEmpty();

        try (var b = WsClient.connect(server.port(), bob.token())) {
            JsonNode page = b.call("sync", "conversationId", group, "afterSeq", 2, "limit", 2);
            assertThat(page.path("t").asText()).isEqualTo("ok");
            assertThat(page.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(3L, 4L);
            assertThat(page.path("hasMore").asBoolean()).isTrue();
            JsonNode rest = b.call("sync", "conversationId", group, "afterSeq", 4);
            assertThat(rest.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(5L);
            assertThat(rest.path("hasMore").asBoolean()).isFalse();
        }
        var back = api.get("/v1/conversations/" + group + "/messages?before=4&limit=2", bob.token()).body();
        assertThat(back.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(2L, 3L);
        assertThat(back.path("hasMore").asBoolean()).isTrue();
    }

    @Test
    void aThirdUserSeesNothingOfAConversation() {
        var alice = api.user("alice5");
        var bob = api.user("bob5");
        var eve = api.user("eve5");
        String c = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token()); var e = WsClient.connect(server.port(), eve.token())) {
            a.call("send", "conversationId", c, "clientMsgId", "s1", "body", "secret");
            assertThat(api.get("/v1/conversations/" + c, eve.token()).status()).isEqualTo(404);
            assertThat(api.get("/v1/conversations/" + c + "/messages", eve.token()).status()).isEqualTo(404);
            assertThat(api.get("/v1/conversations/cnv_doesnotexist/messages", eve.token()).status()).isEqualTo(404);
            assertThat(api.get("/v1/conversations", eve.token()).body().path("conversations")).isEmpty();
            JsonNode sync = e.call("sync", "conversationId", c, "afterSeq", 0);
            assertThat(sync.path("code").asText()).isEqualTo("not_found");
            JsonNode send = e.call("send", "conversationId", c, "clientMsgId", "x", "body", "intrude");
            assertThat(send.path("code").asText()).isEqualTo("not_found");
            JsonNode react = e.call("react", "conversationId", c, "target", 1, "emoji", "👍", "on", true);
            assertThat(react.path("code").asText()).isEqualTo("not_found");
            e.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + c + "\",\"state\":\"start\"}");
            // Eve never receives a frame of the conversation.
            List<JsonNode> leaked = e.drain("message", Duration.ofMillis(300));
            assertThat(leaked).isEmpty();
            assertThat(e.drain("typing", Duration.ZERO)).isEmpty();
        }
    }

    @Test
    void senderFieldsInAFrameAreIgnored() {
        var alice = api.user("alice6");
        var bob = api.user("bob6");
        String c = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token())) {
            a.sendRaw("{\"t\":\"send\",\"id\":\"x\",\"conversationId\":\"" + c + "\",\"clientMsgId\":\"forge\","
                    + "\"body\":\"hi\",\"senderId\":\"" + bob.userId() + "\",\"senderDeviceId\":\"" + bob.deviceId() + "\"}");
            a.await(f -> is(f, "sent"));
        }
        JsonNode m = api.get("/v1/conversations/" + c + "/messages", bob.token()).body().path("messages").get(0);
        assertThat(m.path("senderId").asText()).isEqualTo(alice.userId());
        assertThat(m.path("senderDeviceId").asText()).isEqualTo(alice.deviceId());
    }

    @Test
    void reactionsEditsAndDeletesReachTheOtherSide() {
        var alice = api.user("alice7");
        var bob = api.user("bob7");
        String c = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token()); var b = WsClient.connect(server.port(), bob.token())) {
            a.call("send", "conversationId", c, "clientMsgId", "m", "body", "typo");
            JsonNode react = b.call("react", "conversationId", c, "target", 1, "emoji", "🎉", "on", true);
            assertThat(react.path("t").asText()).isEqualTo("ok");
            assertThat(react.path("seq").asLong()).isEqualTo(2);
            JsonNode r = a.await(f -> is(f, "message") && f.path("kind").asText().equals("reaction"));
            assertThat(r.path("target").asLong()).isEqualTo(1);
            assertThat(r.path("emoji").asText()).isEqualTo("🎉");
            assertThat(r.path("on").asBoolean()).isTrue();

            JsonNode forbidden = b.call("edit", "conversationId", c, "target", 1, "body", "not yours");
            assertThat(forbidden.path("code").asText()).isEqualTo("forbidden");
            assertThat(a.call("edit", "conversationId", c, "target", 1, "body", "fixed").path("seq").asLong()).isEqualTo(3);
            assertThat(b.await(f -> is(f, "message") && f.path("kind").asText().equals("edit")).path("body").asText())
                    .isEqualTo("fixed");
            assertThat(a.call("delete", "conversationId", c, "target", 1).path("seq").asLong()).isEqualTo(4);
            assertThat(b.await(f -> is(f, "message") && f.path("kind").asText().equals("delete")).path("target").asLong())
                    .isEqualTo(1);
        }
        JsonNode log = api.get("/v1/conversations/" + c + "/messages", bob.token()).body().path("messages");
        assertThat(log.get(0).has("body")).isFalse();
        assertThat(log.get(0).path("deleted").asBoolean()).isTrue();
        assertThat(log.get(2).has("body")).isFalse();
    }

    @Test
    void groupMembershipChangesAreSystemEntriesAndReachNewMembers() {
        var alice = api.user("alice8");
        var bob = api.user("bob8");
        var carol = api.user("carol8");
        String g = api.group(alice, "crew", bob);
        try (var a = WsClient.connect(server.port(), alice.token()); var cc = WsClient.connect(server.port(), carol.token())) {
            var added = api.post("/v1/conversations/" + g + "/members", alice.token(), Map.of("userIds", List.of(carol.userId())));
            assertThat(added.status()).isEqualTo(200);
            assertThat(added.body().path("members")).hasSize(3);
            JsonNode conv = cc.await(f -> is(f, "conversation"));
            assertThat(conv.path("conversationId").asText()).isEqualTo(g);
            JsonNode sys = a.await(f -> is(f, "message") && f.path("kind").asText().equals("system"));
            assertThat(sys.path("system").path("action").asText()).isEqualTo("added");
            a.call("send", "conversationId", g, "clientMsgId", "welcome", "body", "welcome carol");
            assertThat(cc.await(f -> is(f, "message") && f.path("kind").asText().equals("text")).path("body").asText())
                    .isEqualTo("welcome carol");
            assertThat(api.delete("/v1/conversations/" + g + "/members/" + carol.userId(), bob.token()).status())
                    .isEqualTo(403);
            assertThat(api.delete("/v1/conversations/" + g + "/members/" + carol.userId(), carol.token()).status())
                    .isEqualTo(204);
            long leftSeq = cc.await(f -> is(f, "message") && f.path("system").path("action").asText().equals("left"))
                    .path("seq").asLong();
            a.call("send", "conversationId", g, "clientMsgId", "after", "body", "carol is gone");
            assertThat(cc.drain("message", Duration.ofMillis(300))).allSatisfy(m ->
                    assertThat(m.path("seq").asLong()).isLessThan(leftSeq));
            assertThat(api.get("/v1/conversations/" + g, carol.token()).status()).isEqualTo(404);
        }
    }

    @Test
    void logoutRevokesTheTokenAndClosesItsSockets() {
        var alice = api.user("alice9");
        var other = api.signIn("alice9");
        try (var a = WsClient.connect(server.port(), alice.token()); var o = WsClient.connect(server.port(), other.token())) {
            assertThat(api.delete("/v1/sessions/current", alice.token()).status()).isEqualTo(204);
            assertThat(a.awaitClose()).isEqualTo(4401);
            assertThat(api.get("/v1/me", alice.token()).status()).isEqualTo(401);
            // The other device stays signed in.
            assertThat(o.call("ping").path("t").asText()).isEqualTo("pong");
            assertThat(api.get("/v1/me", other.token()).status()).isEqualTo(200);
        }
        try (var again = WsClient.open(server.port())) {
            again.sendRaw("{\"t\":\"hello\",\"id\":\"1\",\"token\":\"" + alice.token() + "\"}");
            assertThat(again.awaitClose()).isEqualTo(4401);
        }
    }

    @Test
    void badFramesGetTypedErrorsAndTheSocketStaysUsable() {
        var alice = api.user("alice10");
        try (var a = WsClient.connect(server.port(), alice.token())) {
            a.sendRaw("{not json");
            assertThat(a.await(f -> is(f, "error")).path("code").asText()).isEqualTo("bad_request");
            a.sendRaw("{\"t\":\"teleport\",\"id\":\"u1\"}");
            JsonNode unknown = a.await(f -> is(f, "error"));
            assertThat(unknown.path("code").asText()).isEqualTo("bad_request");
            assertThat(unknown.path("id").asText()).isEqualTo("u1");
            a.sendRaw("{\"t\":\"sync\",\"id\":\"w1\",\"conversationId\":\"c\",\"afterSeq\":\"three\"}");
            JsonNode wrongType = a.await(f -> is(f, "error"));
            assertThat(wrongType.path("id").asText()).isEqualTo("w1");
            assertThat(wrongType.path("code").asText()).isEqualTo("bad_request");
            a.sendRaw("{\"t\":\"send\",\"id\":\"m1\"}");
            JsonNode missing = a.await(f -> is(f, "error"));
            assertThat(missing.path("id").asText()).isEqualTo("m1");
            assertThat(missing.path("message").asText()).contains("conversationId");
            a.sendRaw("[1,2,3]");
            assertThat(a.await(f -> is(f, "error")).path("code").asText()).isEqualTo("bad_request");
            assertThat(a.call("ping").path("t").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aFrameOverTheLimitClosesWith1009() {
        var alice = api.user("alice11");
        try (var a = WsClient.connect(server.port(), alice.token())) {
            String huge = "{\"t\":\"ping\",\"id\":\"" + "x".repeat(server.config().maxFrameBytes() + 10) + "\"}";
            try {
                a.sendRaw(huge);
            } catch (RuntimeException ignored) {
                // The server may close while the frame is still being written.
            }
            assertThat(a.awaitClose()).isEqualTo(1009);
        }
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void socketsMustSayHelloWithAValidTokenFirst() {
        try (var anon = WsClient.open(server.port())) {
            anon.sendRaw("{\"t\":\"ping\",\"id\":\"1\"}");
            assertThat(anon.awaitClose()).isEqualTo(4401);
        }
        try (var bad = WsClient.open(server.port())) {
            bad.sendRaw("{\"t\":\"hello\",\"id\":\"1\",\"token\":\"pt_wrong\"}");
            assertThat(bad.awaitClose()).isEqualTo(4401);
        }
    }

    @Test
    void foreignBrowserOriginsAreRefusedAtTheHandshake() {
        var alice = api.user("alice12");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WsClient.openWithOrigin(server.port(), "http://evil.example"))
                .hasStackTraceContaining("403");
        try (var same = WsClient.openWithOrigin(server.port(), "http://127.0.0.1:" + server.port())) {
            same.sendRaw("{\"t\":\"hello\",\"id\":\"1\",\"token\":\"" + alice.token() + "\"}");
            assertThat(same.await(f -> is(f, "welcome")).path("userId").asText()).isEqualTo(alice.userId());
        }
    }

    @Test
    void httpErrorsAreTypedJson() {
        var alice = api.user("alice13");
        assertThat(api.post("/v1/accounts", null, Map.of("handle", "alice13", "password", "whatever-pass")).status())
                .isEqualTo(409);
        var unauth = api.get("/v1/conversations", null);
        assertThat(unauth.status()).isEqualTo(401);
        assertThat(unauth.body().path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(api.get("/v1/conversations?token=" + alice.token(), null).status()).isEqualTo(401);
        var malformed = api.post("/v1/conversations", alice.token(), "{oops");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("error").path("code").asText()).isEqualTo("bad_request");
        var wrongType = api.post("/v1/conversations", alice.token(), "{\"kind\":\"group\",\"members\":\"nope\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        var tooBig = api.post("/v1/conversations", alice.token(),
                "{\"kind\":\"group\",\"title\":\"" + "x".repeat(server.config().maxHttpBodyBytes() + 1) + "\"}");
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(api.post("/v1/sessions", null, Map.of("handle", "alice13", "password", "wrong-password")).status())
                .isEqualTo(401);
        assertThat(api.get("/v1/users/usr_nobody", alice.token()).status()).isEqualTo(404);
        assertThat(api.get("/v1/users/" + alice.userId(), alice.token()).body().path("handle").asText())
                .isEqualTo("alice13");
        assertThat(api.get("/v1/nothing-here", alice.token()).status()).isEqualTo(404);
    }

    @Test
    void repeatedFailedSignInsAreThrottledWithRetryAfter() {
        api.user("alice14");
        Api.Response last = null;
        for (int i = 0; i < 15; i++) {
            last = api.post("/v1/sessions", null, Map.of("handle", "alice14", "password", "wrong-" + i));
            if (last.status() == 429) {
                break;
            }
        }
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.header("Retry-After")).isNotNull();
        assertThat(last.body().path("error").path("code").asText()).isEqualTo("rate_limited");
    }
}
