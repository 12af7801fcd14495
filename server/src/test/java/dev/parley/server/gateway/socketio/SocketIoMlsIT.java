package dev.parley.server.gateway.socketio;

import static dev.parley.server.mls.MlsDevice.b64;
import static dev.parley.server.mls.MlsDevice.kps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.server.ParleyServer;
import dev.parley.server.mls.MlsDevice;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLS Delivery Service through the npm {@code socket.io-client}: a device on Socket.IO that is not a
 * Welcome's recipient gets the e2ee conversation's commits and ciphertext but never the Welcome (live or by sync),
 * and the MLS fields of {@code send} reach the core (a Welcome from it, not a leaf, is refused as on the WebSocket).
 */
class SocketIoMlsIT {
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
    void aSocketIoDeviceGetsCommitsAndCiphertextButNotOthersWelcomes() {
        var alice = api.user("sioMlsAl");
        var bob = api.user("sioMlsBob");
        var bobSio = api.signIn("sioMlsBob");
        var created = api.post("/v1/conversations", alice.token(),
                Map.of("kind", "group", "members", List.of(bob.userId()), "e2ee", true));
        String c = created.body().path("conversationId").asText();
        try (var a = new MlsDevice(server.port(), alice); var b = new MlsDevice(server.port(), bob);
             var sio = NodeSocketIoClient.start(server.port(), bobSio.token(), "websocket")) {
            sio.awaitConnect();
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b), List.of());
            assertThat(a.sendCommit(c, add).path("seq").asLong()).isEqualTo(1);
            add.pending().merge();
            String welcome = b64(add.welcome().orElseThrow().encode());
            JsonNode refused = sio.call("send", Map.of("conversationId", c, "clientMsgId", "w-sio", "kind",
                    "mls-welcome", "body", welcome, "recipients", List.of(bob.deviceId())));
            assertThat(refused.path("error").path("code").asText()).as(refused.toString()).isEqualTo("forbidden");
            assertThat(a.sendWelcome(c, add, bob.deviceId()).path("seq").asLong()).isEqualTo(2);
            assertThat(a.sendText(c, "to bob").path("seq").asLong()).isEqualTo(3);

            sio.awaitEvent("message", m -> m.path("seq").asLong() == 3);
            List<JsonNode> seen = sio.events("message", Duration.ofMillis(300));
            assertThat(seen).extracting(m -> m.path("seq").asLong()).contains(1L).doesNotContain(2L);
            JsonNode page = sio.call("sync", Map.of("conversationId", c, "afterSeq", 0));
            assertThat(page.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 3L);
            assertThat(page.path("messages").get(0).path("kind").asText()).isEqualTo("mls-commit");
            b.join(b.ws.await(f -> f.path("seq").asLong() == 2 && "message".equals(f.path("t").asText()))
                    .path("body").asText());
            assertThat(b.decrypt(page.path("messages").get(1).path("body").asText())).isEqualTo("to bob");
        }
    }
}
