package dev.parley.server.gateway.socketio;

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
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box: a real node and the unchanged npm {@code socket.io-client} (run by Node), over WebSocket, over
 * long-polling only, and polling upgraded to WebSocket, chatting with a user of the native WebSocket.
 */
class SocketIoIT {
    @TempDir
    static Path dataDir;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        NodeSocketIoClient.requireNode();
        server = TestServers.sqlite(dataDir);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static boolean is(JsonNode f, String t) {
        return t.equals(f.path("t").asText());
    }

    @Test
    void websocketClientAndWebSocketUserSeeEachOthersMessagesOnceAndInOrder() {
        chatBothWays("websocket", "sioWs", "wsPeer1");
    }

    @Test
    void pollingOnlyClientAndWebSocketUserSeeEachOthersMessagesOnceAndInOrder() {
        chatBothWays("polling", "sioPoll", "wsPeer2");
    }

    private void chatBothWays(String transports, String sioHandle, String wsHandle) {
        var sioUser = api.user(sioHandle);
        var wsUser = api.user(wsHandle);
        String c = api.direct(sioUser, wsUser);
        try (var sio = NodeSocketIoClient.start(server.port(), sioUser.token(), transports);
             var ws = WsClient.connect(server.port(), wsUser.token())) {
            JsonNode connected = sio.awaitConnect();
            assertThat(connected.path("type").asText()).isEqualTo("connect");
            assertThat(connected.path("transport").asText()).isEqualTo(transports);

            for (int i = 1; i <= 5; i++) {
                JsonNode ack = sio.call("send", Map.of("conversationId", c, "clientMsgId", "s" + i, "body", "from sio " + i));
                assertThat(ack.path("seq").asLong()).as(ack.toString()).isEqualTo(i);
                assertThat(ack.path("sentAtMs").asLong()).isPositive();
                assertThat(ack.has("t")).isFalse();
            }
            for (int i = 1; i <= 5; i++) {
                JsonNode sent = ws.call("send", "conversationId", c, "clientMsgId", "w" + i, "body", "from ws " + i);
                assertThat(sent.path("seq").asLong()).isEqualTo(5 + i);
            }

            List<JsonNode> atWs = ws.drain("message", Duration.ofMillis(500));
            assertThat(atWs).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(atWs.getFirst().path("body").asText()).isEqualTo("from sio 1");
            assertThat(atWs.getFirst().path("senderId").asText()).isEqualTo(sioUser.userId());

            List<JsonNode> atSio = sio.events("message", Duration.ofMillis(500));
            assertThat(atSio).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(atSio.get(5).path("body").asText()).isEqualTo("from ws 1");
            assertThat(atSio.get(5).path("senderId").asText()).isEqualTo(wsUser.userId());
            assertThat(atSio.get(5).has("t")).isFalse();

            // Resending the same clientMsgId is idempotent, as on the WebSocket.
            JsonNode again = sio.call("send", Map.of("conversationId", c, "clientMsgId", "s1", "body", "from sio 1"));
            assertThat(again.path("seq").asLong()).isEqualTo(1);

            // read and typing reach the WebSocket user; acks carry no error.
            assertThat(sio.call("read", Map.of("conversationId", c, "seq", 10)).has("error")).isFalse();
            JsonNode receipt = ws.await(f -> is(f, "receipt") && f.path("readSeq").asLong() == 10);
            assertThat(receipt.path("userId").asText()).isEqualTo(sioUser.userId());
            assertThat(sio.call("typing", Map.of("conversationId", c, "state", "start")).has("error")).isFalse();
            JsonNode typing = ws.await(f -> is(f, "typing"));
            assertThat(typing.path("userId").asText()).isEqualTo(sioUser.userId());
            assertThat(typing.path("state").asText()).isEqualTo("start");

            // ...and the WebSocket user's receipts and typing reach the Socket.IO client.
            ws.call("read", "conversationId", c, "seq", 4);
            JsonNode theirs = sio.awaitEvent("receipt", r -> r.path("userId").asText().equals(wsUser.userId())
                    && r.path("readSeq").asLong() == 4);
            assertThat(theirs.path("conversationId").asText()).isEqualTo(c);
            ws.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + c + "\",\"state\":\"start\"}");
            assertThat(sio.awaitEvent("typing", t -> true).path("userId").asText()).isEqualTo(wsUser.userId());

            // sync answers with the log.
            JsonNode page = sio.call("sync", Map.of("conversationId", c, "afterSeq", 7));
            assertThat(page.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(8L, 9L, 10L);
            assertThat(page.path("hasMore").asBoolean()).isFalse();
        }
    }

    @Test
    void pollingClientUpgradesToWebSocketAndKeepsChatting() {
        var sioUser = api.user("sioUpgrade");
        var wsUser = api.user("wsPeer3");
        String c = api.direct(sioUser, wsUser);
        try (var sio = NodeSocketIoClient.start(server.port(), sioUser.token(), "polling,websocket");
             var ws = WsClient.connect(server.port(), wsUser.token())) {
            // The upgrade may finish before or after the namespace connects; either way it happens once.
            assertThat(sio.awaitConnect().path("transport").asText()).isIn("polling", "websocket");
            JsonNode upgraded = sio.await(r -> "upgrade".equals(r.path("type").asText()));
            assertThat(upgraded.path("transport").asText()).isEqualTo("websocket");

            JsonNode ack = sio.call("send", Map.of("conversationId", c, "clientMsgId", "u1", "body", "after upgrade"));
            assertThat(ack.path("seq").asLong()).isEqualTo(1);
            assertThat(ws.await(f -> is(f, "message")).path("body").asText()).isEqualTo("after upgrade");
            ws.call("send", "conversationId", c, "clientMsgId", "u2", "body", "back");
            assertThat(sio.awaitEvent("message", m -> m.path("seq").asLong() == 2).path("body").asText()).isEqualTo("back");
        }
    }

    @Test
    void messagesSentWhileUpgradingArriveOnceAndInOrder() {
        var sioUser = api.user("sioRace");
        var wsUser = api.user("wsPeer4");
        String c = api.direct(sioUser, wsUser);
        try (var sio = NodeSocketIoClient.start(server.port(), sioUser.token(), "polling,websocket");
             var ws = WsClient.connect(server.port(), wsUser.token())) {
            assertThat(sio.awaitConnect().path("type").asText()).isEqualTo("connect");
            // Sent while the client is probing and upgrading: some travel by poll, the rest by WebSocket.
            IntStream.rangeClosed(1, 30).forEach(i -> ws.request("send", "conversationId", c, "clientMsgId", "r" + i,
                    "body", "m" + i));
            sio.await(r -> "upgrade".equals(r.path("type").asText()));
            sio.awaitEvent("message", m -> m.path("seq").asLong() == 30);
            List<JsonNode> before = sio.events("message", Duration.ofMillis(300));
            assertThat(before).extracting(m -> m.path("seq").asLong())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 29).boxed().toList());
        }
    }

    @Test
    void badTokenGetsConnectErrorUnauthorizedAndTheServerKeepsServing() {
        try (var sio = NodeSocketIoClient.start(server.port(), "not-a-token", "websocket")) {
            JsonNode r = sio.awaitConnect();
            assertThat(r.path("type").asText()).isEqualTo("connect_error");
            assertThat(r.path("message").asText()).isEqualTo("unauthorized");
        }
        try (var sio = NodeSocketIoClient.start(server.port(), "not-a-token", "polling")) {
            JsonNode r = sio.awaitConnect();
            assertThat(r.path("type").asText()).isEqualTo("connect_error");
            assertThat(r.path("message").asText()).isEqualTo("unauthorized");
        }
        // A valid token in the query string is not a credential.
        var user = api.user("sioQuery");
        try (var sio = NodeSocketIoClient.startWithTokenInQuery(server.port(), user.token())) {
            JsonNode r = sio.awaitConnect();
            assertThat(r.path("type").asText()).isEqualTo("connect_error");
            assertThat(r.path("message").asText()).isEqualTo("unauthorized");
        }
        var fresh = api.user("sioFresh");
        var other = api.user("sioFreshPeer");
        String c = api.direct(fresh, other);
        try (var sio = NodeSocketIoClient.start(server.port(), fresh.token(), "websocket")) {
            assertThat(sio.awaitConnect().path("type").asText()).isEqualTo("connect");
            assertThat(sio.call("send", Map.of("conversationId", c, "clientMsgId", "f1", "body", "still here"))
                    .path("seq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void commandsTheCoreRefusesAreAckedWithTypedErrors() {
        var outsider = api.user("sioOutsider");
        var a = api.user("sioMemberA");
        var b = api.user("sioMemberB");
        String c = api.direct(a, b);
        try (var sio = NodeSocketIoClient.start(server.port(), outsider.token(), "websocket")) {
            assertThat(sio.awaitConnect().path("type").asText()).isEqualTo("connect");
            JsonNode notMember = sio.call("send", Map.of("conversationId", c, "clientMsgId", "x1", "body", "intrude"));
            assertThat(notMember.path("error").path("code").asText()).isIn("not_found", "forbidden");
            assertThat(notMember.path("error").path("message").asText()).isNotEmpty();
            assertThat(notMember.has("seq")).isFalse();

            JsonNode noBody = sio.call("send", Map.of("conversationId", c, "clientMsgId", "x2"));
            assertThat(noBody.path("error").path("code").asText()).isEqualTo("bad_request");
            JsonNode wrongType = sio.call("sync", Map.of("conversationId", c, "afterSeq", "zero"));
            assertThat(wrongType.path("error").path("code").asText()).isEqualTo("bad_request");
            JsonNode unknown = sio.call("hello", Map.of("token", "x"));
            assertThat(unknown.path("error").path("code").asText()).isEqualTo("bad_request");
            JsonNode syncOther = sio.call("sync", Map.of("conversationId", c));
            assertThat(syncOther.path("error").path("code").asText()).isIn("not_found", "forbidden");
        }
        try (var ws = WsClient.connect(server.port(), a.token())) {
            assertThat(ws.call("send", "conversationId", c, "clientMsgId", "ok1", "body", "fine").path("seq").asLong())
                    .isEqualTo(1);
        }
    }

    @Test
    void theDocumentedExampleRuns() throws Exception {
        var alice = api.user("sioExample");
        var bob = api.user("sioExamplePeer");
        String c = api.direct(alice, bob);
        Process p = new ProcessBuilder("node", "example.mjs", "http://127.0.0.1:" + server.port(), alice.token(), c)
                .directory(NodeSocketIoClient.DIR.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        System.out.println("example.mjs output:\n" + out);
        assertThat(out).contains("send acked: seq 1 sentAtMs ")
                .contains("message event: 1 " + alice.userId() + " Hello from socket.io-client")
                .contains("sync acked: [ '1:Hello from socket.io-client' ] hasMore false");

        Process refused = new ProcessBuilder("node", "example.mjs", "http://127.0.0.1:" + server.port(), "bad-token", c)
                .directory(NodeSocketIoClient.DIR.toFile()).redirectErrorStream(true).start();
        assertThat(refused.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(new String(refused.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("connect_error: unauthorized");
    }

    @Test
    void aSocketIoConnectionCountsAsOnlineAndNewConversationsArriveAsEvents() {
        var sioUser = api.user("sioPresence");
        var wsUser = api.user("wsPresence");
        api.direct(sioUser, wsUser);
        try (var ws = WsClient.connect(server.port(), wsUser.token())) {
            try (var sio = NodeSocketIoClient.start(server.port(), sioUser.token(), "websocket")) {
                assertThat(sio.awaitConnect().path("type").asText()).isEqualTo("connect");
                JsonNode online = ws.await(f -> is(f, "presence") && f.path("userId").asText().equals(sioUser.userId())
                        && "online".equals(f.path("state").asText()));
                assertThat(online).isNotNull();

                String group = api.group(wsUser, "sio group", sioUser);
                JsonNode conversation = sio.awaitEvent("conversation", v -> v.path("conversationId").asText().equals(group));
                assertThat(conversation.path("title").asText()).isEqualTo("sio group");
                ws.call("send", "conversationId", group, "clientMsgId", "g1", "body", "welcome");
                assertThat(sio.awaitEvent("message", m -> m.path("conversationId").asText().equals(group)
                        && m.path("kind").asText().equals("text")).path("body").asText()).isEqualTo("welcome");
            }
            JsonNode offline = ws.await(f -> is(f, "presence") && f.path("userId").asText().equals(sioUser.userId())
                    && "offline".equals(f.path("state").asText()));
            assertThat(offline).isNotNull();
        }
    }

    @Test
    void reactEditAndDeleteAreAckedWithTheirSeqAndReachTheWebSocketUser() {
        var sioUser = api.user("sioEditor");
        var wsUser = api.user("wsEditorPeer");
        String c = api.direct(sioUser, wsUser);
        try (var sio = NodeSocketIoClient.start(server.port(), sioUser.token(), "websocket");
             var ws = WsClient.connect(server.port(), wsUser.token())) {
            assertThat(sio.awaitConnect().path("type").asText()).isEqualTo("connect");
            assertThat(sio.call("send", Map.of("conversationId", c, "clientMsgId", "e1", "body", "draft"))
                    .path("seq").asLong()).isEqualTo(1);
            JsonNode reacted = sio.call("react", Map.of("conversationId", c, "target", 1, "emoji", "👍"));
            assertThat(reacted.path("seq").asLong()).as(reacted.toString()).isEqualTo(2);
            JsonNode edited = sio.call("edit", Map.of("conversationId", c, "target", 1, "body", "final"));
            assertThat(edited.path("seq").asLong()).as(edited.toString()).isEqualTo(3);
            JsonNode deleted = sio.call("delete", Map.of("conversationId", c, "target", 1));
            assertThat(deleted.path("seq").asLong()).as(deleted.toString()).isEqualTo(4);

            List<JsonNode> atWs = ws.drain("message", Duration.ofMillis(500));
            assertThat(atWs).extracting(m -> m.path("kind").asText())
                    .containsExactly("text", "reaction", "edit", "delete");
            assertThat(atWs.get(2).path("body").asText()).isEqualTo("final");

            JsonNode notOwn = sio.call("edit", Map.of("conversationId", c, "target", 99, "body", "x"));
            assertThat(notOwn.path("error").path("code").asText()).isNotEmpty();
        }
    }
}
