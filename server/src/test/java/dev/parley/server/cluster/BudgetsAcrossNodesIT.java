package dev.parley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.RateBudgets;
import dev.parley.core.RateBudgets.Budget;
import dev.parley.core.RateBudgets.Name;
import dev.parley.server.ParleyServer;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets live in Redis in a cluster: a client cannot double its budget by spreading over nodes. */
class BudgetsAcrossNodesIT {
    @TempDir
    Path data;
    private TestDatabases.PostgresSchema schema;
    private String prefix;
    private ParleyServer a;
    private ParleyServer b;

    @AfterEach
    void stop() {
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
    void aUserSpreadOverTwoNodesSharesOneBudget() {
        prefix = TestRedis.freshPrefix();
        schema = TestDatabases.freshPostgresSchema();
        RateBudgets budgets = RateBudgets.defaults()
                .with(Name.READS, new Budget(0.01, 3))
                .with(Name.CONVERSATION_CREATES, new Budget(0.01, 2));
        ServerConfig base = ServerConfig.embedded(data, 0).withSendRate(0)
                .withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, schema.url(), 4, 256, true))
                .withBus(new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, TestRedis.url(), prefix, false, false,
                        30_000))
                .withPassword(TestServers.FAST_PASSWORDS).withBudgets(budgets);
        a = ParleyServer.start(base);
        b = ParleyServer.start(base);
        Api apiA = new Api(a.port());
        Api apiB = new Api(b.port());
        var alice = apiA.user("alice" + System.nanoTime() % 100_000);
        var bob = apiA.user("bob" + System.nanoTime() % 100_000);

        String g = apiA.group(alice, "on a", bob);
        apiB.group(alice, "on b", bob);
        var refused = apiA.post("/v1/conversations", alice.token(), Map.of("kind", "group", "members", List.of(),
                "title", "third"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotNull();

        assertThat(apiA.get("/v1/conversations/" + g + "/messages", alice.token()).status()).isEqualTo(200);
        assertThat(apiB.get("/v1/conversations/" + g + "/messages", alice.token()).status()).isEqualTo(200);
        try (var onB = WsClient.connect(b.port(), alice.token()); var bobOnA = WsClient.connect(a.port(), bob.token())) {
            assertThat(onB.call("sync", "conversationId", g, "afterSeq", 0).path("t").asText()).isEqualTo("ok");
            var over = onB.call("sync", "conversationId", g, "afterSeq", 0);
            assertThat(over.path("code").asText()).isEqualTo("rate_limited");
            assertThat(over.path("retryAfterMs").asLong()).isPositive();
            assertThat(apiA.get("/v1/conversations/" + g + "/messages", alice.token()).status()).isEqualTo(429);

            // Still served: alice on b talks to bob on a, and bob reads on either node.
            onB.call("send", "conversationId", g, "clientMsgId", "x", "body", "across");
            assertThat(bobOnA.await(f -> "message".equals(f.path("t").asText())).path("body").asText())
                    .isEqualTo("across");
            assertThat(apiB.get("/v1/conversations/" + g + "/messages", bob.token()).status()).isEqualTo(200);
        }
    }
}
