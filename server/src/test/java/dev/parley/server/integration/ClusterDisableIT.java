package dev.parley.server.integration;

import static dev.parley.server.integration.IntegrationServers.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disabling a user through one node closes the user's sockets on every node with 4401 (the revocation goes
 * over the Redis bus), and no node lets the user back in. Two nodes, one PostgreSQL schema, one Redis prefix.
 */
class ClusterDisableIT {
    @TempDir
    static Path dataA;
    @TempDir
    static Path dataB;
    static TestDatabases.PostgresSchema schema;
    static String prefix;
    static ParleyServer a;
    static ParleyServer b;

    @BeforeAll
    static void start() {
        prefix = TestRedis.freshPrefix();
        schema = TestDatabases.freshPostgresSchema();
        var bus = new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, TestRedis.url(), prefix, false, false, 30_000);
        a = ParleyServer.start(IntegrationServers.config(dataA, List.of()).withBus(bus).withStore(
                new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, schema.url(), 4, 256, true)));
        b = ParleyServer.start(IntegrationServers.config(dataB, List.of()).withBus(bus).withStore(
                new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, schema.url(), 4, 256, true)));
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (schema != null) {
            schema.close();
        }
        if (prefix != null) {
            TestRedis.deleteKeys(prefix);
        }
    }

    @Test
    void disablingThroughOneNodeClosesSocketsOnEveryNode() {
        Api apiA = new Api(a.port());
        Api apiB = new Api(b.port());
        String userId = apiA.post("/v1/admin/users", ADMIN, Map.of("handle", "clusterann", "externalId", "c-1"))
                .body().path("userId").asText();
        String t1 = apiA.post("/v1/admin/users/" + userId + "/sessions", ADMIN, "{}").body().path("token").asText();
        String t2 = apiB.post("/v1/admin/users/" + userId + "/sessions", ADMIN, "{}").body().path("token").asText();
        try (WsClient onA = WsClient.connect(a.port(), t1);
             WsClient onB = WsClient.connect(b.port(), t2)) {
            assertThat(apiA.call("PATCH", "/v1/admin/users/" + userId, ADMIN, "{\"disabled\":true}").status())
                    .isEqualTo(200);
            assertThat(onA.awaitClose()).isEqualTo(4401);
            assertThat(onB.awaitClose()).isEqualTo(4401); // well before the 60 s session audit
        }
        assertThat(apiB.get("/v1/me", t2).status()).isEqualTo(401);
        assertThat(apiB.post("/v1/admin/users/" + userId + "/sessions", ADMIN, "{}").status()).isEqualTo(403);
        String jwt = Jwts.hs256(IntegrationServers.JWT_SECRET, "{\"sub\":\"c-1\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + 120) + "}");
        assertThat(apiB.post("/v1/sessions", null, Map.of("jwt", jwt)).status()).isEqualTo(403);
    }
}
