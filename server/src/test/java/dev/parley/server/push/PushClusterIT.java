package dev.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.ParleyServer;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push across two nodes on one PostgreSQL and one Redis: "offline" is judged from connections on every node
 * (Redis presence), both nodes share one VAPID key, and each push is delivered once although both run a
 * delivery worker on the same queue.
 */
class PushClusterIT {
    @TempDir
    Path data;

    @Test
    void aDeviceConnectedToTheOtherNodeIsNotPushedAndEachPushIsSentOnce() throws Exception {
        String prefix = TestRedis.freshPrefix();
        TestDatabases.PostgresSchema schema = TestDatabases.freshPostgresSchema();
        try (WebPushReceiver receiver = new WebPushReceiver()) {
            ServerConfig base = ServerConfig.embedded(data, 0)
                    .withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, schema.url(), 4, 256, true))
                    .withBus(new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, TestRedis.url(), prefix, false,
                            false, 30_000))
                    .withSendRate(0).withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                    .withOutbound(OutboundConfig.defaults().withAllowedHosts(List.of(receiver.hostPort())))
                    .withPush(PushConfig.defaults().withCoalesceMs(300));
            try (ParleyServer a = ParleyServer.start(base); ParleyServer b = ParleyServer.start(base)) {
                Api apiA = new Api(a.port());
                Api apiB = new Api(b.port());
                assertThat(apiB.get("/v1/push/vapid", null).body().path("publicKey").asText())
                        .isEqualTo(apiA.get("/v1/push/vapid", null).body().path("publicKey").asText());
                Api.Session alice = apiA.user("pc-alice");
                Api.Session bobLaptop = apiA.user("pc-bob");
                Api.Session bobPhone = apiA.signIn("pc-bob");
                String c = apiA.direct(alice, bobLaptop);
                assertThat(apiB.post("/v1/push/subscriptions", bobLaptop.token(), receiver.browser("laptop").subscription())
                        .status()).isEqualTo(201);
                assertThat(apiB.post("/v1/push/subscriptions", bobPhone.token(), receiver.browser("phone").subscription())
                        .status()).isEqualTo(201);
                // Bob's laptop is connected to node B; Alice sends through node A.
                try (WsClient laptop = WsClient.connect(b.port(), bobLaptop.token());
                     WsClient ws = WsClient.connect(a.port(), alice.token())) {
                    for (int i = 1; i <= 5; i++) {
                        PushIT.send(ws, c, "m" + i, "message " + i);
                        int n = i;
                        await().atMost(PushIT.WAIT).until(() -> receiver.received("phone").stream()
                                .anyMatch(p -> p.payload().path("preview").asText().equals("message " + n)));
                    }
                    Thread.sleep(1500); // a duplicate from the other node's worker would show by now
                }
                assertThat(receiver.attempts("laptop")).isZero();
                assertThat(receiver.received("phone")).hasSize(5);
                assertThat(receiver.failures()).isEmpty();
            }
        } finally {
            schema.close();
            TestRedis.deleteKeys(prefix);
        }
    }
}
