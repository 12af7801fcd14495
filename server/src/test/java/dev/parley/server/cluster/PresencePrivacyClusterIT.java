package dev.parley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TwoNodes;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privacy of presence across two nodes on one PostgreSQL schema and one Redis: the node that publishes a user's
 * presence learns of an accept made on the other node (its engagement cache is told over the bus), so presence
 * flows after the accept and not before.
 */
class PresencePrivacyClusterIT {
    @TempDir
    static Path data;
    static TwoNodes nodes;
    static ParleyServer a;
    static ParleyServer b;
    static Api apiA;
    static Api apiB;

    @BeforeAll
    static void start() {
        nodes = TwoNodes.start(data);
        a = nodes.a();
        b = nodes.b();
        apiA = new Api(a.port());
        apiB = new Api(b.port());
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static boolean presenceOf(JsonNode f, Api.Session who) {
        return "presence".equals(f.path("t").asText()) && who.userId().equals(f.path("userId").asText());
    }

    @Test
    void anAcceptOnOneNodeLetsTheOtherNodePublishPresence() {
        var rita = apiA.user("ppc_rita" + System.nanoTime() % 100_000);
        var stranger = apiA.user("ppc_stranger" + System.nanoTime() % 100_000);
        String dm = apiA.direct(stranger, rita);
        try (var s = WsClient.connect(a.port(), stranger.token())) {
            // Rita is on node B, which now has the conversation's engaged users cached (only the stranger).
            var r1 = WsClient.connect(b.port(), rita.token());
            r1.call("ping");
            s.call("ping");
            assertThat(s.drain("presence", Duration.ZERO)).noneMatch(f -> presenceOf(f, rita));

            // She accepts through node A; node A tells the stranger at once.
            apiA.accept(rita, dm);
            assertThat(s.await(f -> presenceOf(f, rita)).path("state").asText()).isEqualTo("online");

            // Her next change is published by node B, which learnt of the accept over the bus.
            r1.close();
            JsonNode offline = s.await(f -> presenceOf(f, rita) && "offline".equals(f.path("state").asText()));
            assertThat(offline.path("lastSeenMs").asLong()).isPositive();
            try (var r2 = WsClient.connect(b.port(), rita.token())) {
                assertThat(s.await(f -> presenceOf(f, rita)).path("state").asText()).isEqualTo("online");
            }
        }
    }
}
