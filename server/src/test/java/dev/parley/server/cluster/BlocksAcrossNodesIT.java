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
 * Blocking in a cluster: two in-process nodes on one PostgreSQL schema and one Redis. A block made on node A
 * takes effect on node B, whose cache already held the blocker's (empty) block list: B refuses the blocked
 * user's direct sends and keeps their group entries from the blocker's socket there; an unblock on A lifts it.
 */
class BlocksAcrossNodesIT {
    @TempDir
    static Path data;
    static TwoNodes nodes;
    static ParleyServer a;
    static ParleyServer b;
    static Api apiA;

    @BeforeAll
    static void start() {
        nodes = TwoNodes.start(data);
        a = nodes.a();
        b = nodes.b();
        apiA = new Api(a.port());
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static boolean is(JsonNode f, String t) {
        return t.equals(f.path("t").asText());
    }

    /** Sends until the answer's type is {@code want} (the change crosses the bus asynchronously); at most 50 tries. */
    private static JsonNode sendUntil(WsClient ws, String conversationId, String want) throws InterruptedException {
        JsonNode last = null;
        for (int i = 0; i < 50; i++) {
            last = ws.call("send", "conversationId", conversationId, "clientMsgId", "try-" + want + i, "body", "try " + i);
            if (want.equals(last.path("t").asText())) {
                return last;
            }
            Thread.sleep(100);
        }
        return last;
    }

    @Test
    void aBlockOnOneNodeTakesEffectOnTheOther() throws Exception {
        var alice = apiA.user("xn_alice");
        var bob = apiA.user("xn_bob");
        var carol = apiA.user("xn_carol");
        String dm = apiA.direct(alice, bob);
        String g = apiA.group(carol, "across", alice, bob);
        try (var bobOnB = WsClient.connect(b.port(), bob.token());
             var aliceOnB = WsClient.connect(b.port(), alice.token());
             var carolOnA = WsClient.connect(a.port(), carol.token())) {
            // Node B has Alice's block list cached (empty) once Bob's direct send went through there.
            assertThat(bobOnB.call("send", "conversationId", dm, "clientMsgId", "before", "body", "before").path("t")
                    .asText()).isEqualTo("sent");
            aliceOnB.await(f -> is(f, "message") && "before".equals(f.path("body").asText()));

            assertThat(apiA.call("PUT", "/v1/me/blocks/" + bob.userId(), alice.token(), null).status()).isEqualTo(204);

            JsonNode refused = sendUntil(bobOnB, dm, "error");
            assertThat(refused.path("t").asText()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("forbidden");

            assertThat(bobOnB.call("send", "conversationId", g, "clientMsgId", "g-bob", "body", "bob in group").path("t")
                    .asText()).isEqualTo("sent");
            assertThat(carolOnA.call("send", "conversationId", g, "clientMsgId", "g-carol", "body", "carol in group")
                    .path("t").asText()).isEqualTo("sent");
            aliceOnB.await(f -> is(f, "message") && "carol in group".equals(f.path("body").asText()));
            assertThat(aliceOnB.drain("message", Duration.ofMillis(300)))
                    .noneMatch(f -> "bob in group".equals(f.path("body").asText()));

            assertThat(apiA.delete("/v1/me/blocks/" + bob.userId(), alice.token()).status()).isEqualTo(204);
            assertThat(sendUntil(bobOnB, dm, "sent").path("t").asText()).isEqualTo("sent");
        }
    }
}
