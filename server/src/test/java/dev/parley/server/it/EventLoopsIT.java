package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node serves HTTP and WebSockets on every event loop, not on one: sockets opened one after another land on
 * more than one loop, a message still reaches every socket of every member, whatever loop serves it, once, and
 * closing the node closes the servers of all loops.
 */
class EventLoopsIT {
    @TempDir
    Path dir;

    /** An embedded node with four event loops, whatever the machine's cores. */
    private ParleyServer fourLoops() {
        ServerConfig base = ServerConfig.embedded(dir, 0);
        return ParleyServer.start(base.withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY).withConnections(base.connections().withEventLoops(4)));
    }

    @Test
    void socketsSpreadOverSeveralEventLoopsAndAFanOutReachesEachOnce() {
        ParleyServer server = fourLoops();
        int port = server.port();
        try (server) {
            Api api = new Api(server.port());
            var alice = api.user("loopsalice");
            var bob = api.user("loopsbob");
            String conv = api.direct(alice, bob);
            List<WsClient> bobs = new ArrayList<>();
            try (WsClient a = WsClient.connect(server.port(), alice.token())) {
                for (int i = 0; i < 12; i++) {
                    bobs.add(WsClient.connect(server.port(), bob.token()));
                }
                // Vert.x deals accepted connections to the event loops' servers in turn.
                assertThat(server.webSocketEventLoops()).isGreaterThan(1);

                JsonNode sent = a.call("send", "conversationId", conv, "clientMsgId", "m1", "body", "to every loop");
                assertThat(sent.path("t").asText()).isEqualTo("sent");
                for (WsClient b : bobs) {
                    JsonNode msg = b.await(f -> "message".equals(f.path("t").asText()));
                    assertThat(msg.path("body").asText()).isEqualTo("to every loop");
                }
                for (WsClient b : bobs) {
                    assertThat(b.drain("message", Duration.ofMillis(b == bobs.getFirst() ? 300 : 0)))
                            .as("no second copy").isEmpty();
                }
                JsonNode echo = a.await(f -> "message".equals(f.path("t").asText()));
                assertThat(echo.path("body").asText()).isEqualTo("to every loop");
                // HTTP is served too, whichever loop the request's connection lands on.
                for (int i = 0; i < 8; i++) {
                    assertThat(api.get("/v1/conversations/" + conv + "/messages?afterSeq=0", bob.token()).status())
                            .isEqualTo(200);
                }
            } finally {
                bobs.forEach(WsClient::close);
            }
        }
        // Closing the node closes every loop's server: nothing listens on the port any more.
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }
}
