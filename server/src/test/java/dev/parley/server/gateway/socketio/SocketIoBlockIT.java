package dev.parley.server.gateway.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking on the Socket.IO gateway with the real socket.io-client: a blocked user's send into the direct
 * conversation is acknowledged with {@code forbidden}, and a blocker on Socket.IO gets none of the blocked user's
 * messages, typing or receipts in a group, while another member's still arrive.
 */
class SocketIoBlockIT {
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

    @Test
    void aBlockedUsersSendIsRefusedAndTheBlockerGetsNothingLiveFromThem() {
        var alice = api.user("sio_bl_alice");
        var bob = api.user("sio_bl_bob");
        var carol = api.user("sio_bl_carol");
        String dm = api.direct(alice, bob);
        String g = api.group(alice, "sio block", bob, carol);
        assertThat(api.call("PUT", "/v1/me/blocks/" + bob.userId(), alice.token(), null).status()).isEqualTo(204);
        try (var bobSio = NodeSocketIoClient.start(server.port(), bob.token(), "websocket");
             var aliceSio = NodeSocketIoClient.start(server.port(), alice.token(), "websocket");
             var c = WsClient.connect(server.port(), carol.token())) {
            assertThat(bobSio.awaitConnect().path("type").asText()).isEqualTo("connect");
            assertThat(aliceSio.awaitConnect().path("type").asText()).isEqualTo("connect");

            JsonNode refused = bobSio.call("send", Map.of("conversationId", dm, "clientMsgId", "d1", "body", "hey"));
            assertThat(refused.path("error").path("code").asText()).as(refused.toString()).isEqualTo("forbidden");

            assertThat(bobSio.call("typing", Map.of("conversationId", g, "state", "start")).has("error")).isFalse();
            JsonNode sent = bobSio.call("send", Map.of("conversationId", g, "clientMsgId", "g1", "body", "bob here"));
            assertThat(sent.path("seq").asLong()).isPositive();
            assertThat(bobSio.call("read", Map.of("conversationId", g, "seq", sent.path("seq").asLong()))
                    .has("error")).isFalse();
            c.await(f -> "receipt".equals(f.path("t").asText()) && bob.userId().equals(f.path("userId").asText()));
            assertThat(c.call("send", "conversationId", g, "clientMsgId", "c1", "body", "carol here").path("t")
                    .asText()).isEqualTo("sent");
            aliceSio.awaitEvent("message", m -> "carol here".equals(m.path("body").asText()));

            assertThat(aliceSio.events("message", Duration.ofMillis(300)))
                    .noneMatch(m -> bob.userId().equals(m.path("senderId").asText()));
            assertThat(aliceSio.events("typing", Duration.ZERO))
                    .noneMatch(m -> bob.userId().equals(m.path("userId").asText()));
            assertThat(aliceSio.events("receipt", Duration.ZERO))
                    .noneMatch(m -> bob.userId().equals(m.path("userId").asText()));
        }
    }
}
