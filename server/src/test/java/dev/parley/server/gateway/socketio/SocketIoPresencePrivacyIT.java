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
 * Privacy of presence over Socket.IO, with the unchanged npm client (docs/security.md): a stranger who opened a
 * direct conversation gets no {@code presence} event of the recipient, in the snapshot or live, until she accepts.
 */
class SocketIoPresencePrivacyIT {
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

    private static boolean isRita(JsonNode p, Api.Session rita) {
        return rita.userId().equals(p.path("userId").asText());
    }

    @Test
    void aStrangerOnSocketIoGetsNoPresenceOfTheRecipientUntilSheAccepts() {
        var rita = api.user("sio_pp_rita");
        var stranger = api.user("sio_pp_stranger");
        var r1 = WsClient.connect(server.port(), rita.token());
        String dm = api.direct(stranger, rita);
        try (var sio = NodeSocketIoClient.start(server.port(), stranger.token(), "websocket")) {
            assertThat(sio.awaitConnect().path("type").asText()).isEqualTo("connect");
            // An acknowledged command is the barrier: the snapshot was sent before it was read.
            sio.call("sync", Map.of("conversationId", dm, "afterSeq", 0));
            assertThat(sio.events("presence", Duration.ZERO)).noneMatch(p -> isRita(p, rita));

            r1.close();
            try (var r2 = WsClient.connect(server.port(), rita.token())) {
                r2.call("ping");
                sio.call("sync", Map.of("conversationId", dm, "afterSeq", 0));
                assertThat(sio.events("presence", Duration.ZERO)).noneMatch(p -> isRita(p, rita));

                assertThat(api.post("/v1/conversations/" + dm + "/accept", rita.token(), "").status()).isEqualTo(200);
                // Events of one conversation keep their order: a leaked "offline" would have come first.
                assertThat(sio.awaitEvent("presence", p -> isRita(p, rita)).path("state").asText())
                        .isEqualTo("online");
            }
            JsonNode offline = sio.awaitEvent("presence", p -> isRita(p, rita));
            assertThat(offline.path("state").asText()).isEqualTo("offline");
            assertThat(offline.path("lastSeenMs").asLong()).isPositive();
        }
    }
}
