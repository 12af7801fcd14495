package dev.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.PushConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push and blocking end to end: an offline blocker's devices are not pushed for the blocked user's entries, while
 * the other members are, and the blocker is pushed again for everyone else's.
 */
class PushBlockIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;
    WebPushReceiver receiver;
    ParleyServer server;
    Api api;

    @BeforeEach
    void setUp() throws Exception {
        receiver = new WebPushReceiver();
        server = PushIT.start(data, receiver, PushConfig.defaults().withCoalesceMs(300));
        api = new Api(server.port());
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        receiver.close();
    }

    private void subscribe(Api.Session who) throws Exception {
        Api.Response r = api.post("/v1/push/subscriptions", who.token(), receiver.browser(who.handle()).subscription());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    @Test
    void theBlockerIsNotPushedForTheBlockedUsersEntries() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        Api.Session carol = api.user("carol");
        String g = api.group(alice, "team", bob, carol);
        subscribe(bob);
        subscribe(carol);
        assertThat(api.call("PUT", "/v1/me/blocks/" + alice.userId(), bob.token(), null).status()).isEqualTo(204);
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            PushIT.send(ws, g, "m1", "from the blocked one");
        }
        await().atMost(WAIT).until(() -> !receiver.received("carol").isEmpty());
        // Carol's push was decided in the same pass as Bob's would have been: Bob got nothing.
        assertThat(receiver.attempts("bob")).isZero();

        try (WsClient ws = WsClient.connect(server.port(), carol.token())) {
            PushIT.send(ws, g, "c1", "from carol");
        }
        await().atMost(WAIT).until(() -> !receiver.received("bob").isEmpty());
        assertThat(receiver.received("bob")).allSatisfy(p ->
                assertThat(p.payload().path("senderId").asText()).isEqualTo(carol.userId()));
    }
}
