package dev.parley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.Limits;
import dev.parley.server.ParleyServer;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two in-process nodes on one PostgreSQL schema and one Redis (own prefix): what crosses nodes besides
 * messages (presence, typing, receipts, membership, rate limits) works as on one node.
 */
class TwoNodesOnRedisIT {
    @TempDir
    static Path data;
    static TestDatabases.PostgresSchema schema;
    static String prefix;
    static ParleyServer a;
    static ParleyServer b;
    static Api apiA;
    static Api apiB;
    static final List<WsClient> sockets = new ArrayList<>();
    static int users;

    @BeforeAll
    static void start() {
        prefix = TestRedis.freshPrefix();
        schema = TestDatabases.freshPostgresSchema();
        Limits d = Limits.defaults();
        // A small burst and a slow refill, so the shared bucket is easy to see.
        Limits limits = new Limits(d.maxBodyBytes(), d.maxHandleLength(), d.minPasswordLength(), d.maxPasswordLength(),
                d.maxTitleLength(), d.maxDisplayNameLength(), d.maxMembers(), d.maxPageSize(), 0.01, 4,
                d.signInFailuresPerMinute(), d.typingTimeoutMs());
        ServerConfig base = ServerConfig.embedded(data, 0)
                .withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, schema.url(), 4, 256, true))
                .withBus(new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, TestRedis.url(), prefix, false, false,
                        30_000))
                .withLimits(limits).withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY);
        a = ParleyServer.start(base);
        b = ParleyServer.start(base);
        apiA = new Api(a.port());
        apiB = new Api(b.port());
    }

    @AfterAll
    static void stop() {
        sockets.forEach(WsClient::close);
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

    private static Api.Session user() {
        return apiA.user("tn" + (++users) + "x" + System.nanoTime() % 100_000);
    }

    private static WsClient socket(ParleyServer node, Api.Session s) {
        WsClient c = WsClient.connect(node.port(), s.token());
        sockets.add(c);
        return c;
    }

    private static boolean is(JsonNode f, String t) {
        return t.equals(f.path("t").asText());
    }

    @Test
    void presenceTypingAndReceiptsCrossNodes() {
        Api.Session alice = user();
        Api.Session bob = user();
        String c = apiA.group(alice, "pairs", bob);
        apiB.accept(bob, c); // Bob chose to talk too: Alice sees his presence
        WsClient onA = socket(a, alice);
        WsClient onB = socket(b, bob);

        JsonNode online = onA.await(f -> is(f, "presence") && bob.userId().equals(f.path("userId").asText())
                && "online".equals(f.path("state").asText()));
        assertThat(online).isNotNull();

        onB.call("typing", "conversationId", c, "state", "start");
        onA.await(f -> is(f, "typing") && bob.userId().equals(f.path("userId").asText()));

        JsonNode sent = onA.call("send", "conversationId", c, "clientMsgId", "m1", "body", "hello across");
        assertThat(sent.path("t").asText()).isEqualTo("sent");
        long seq = sent.path("seq").asLong();
        onB.await(f -> is(f, "message") && f.path("seq").asLong() == seq);
        onB.call("read", "conversationId", c, "seq", seq);
        onA.await(f -> is(f, "receipt") && bob.userId().equals(f.path("userId").asText())
                && f.path("readSeq").asLong() == seq);

        onB.close();
        onA.await(f -> is(f, "presence") && bob.userId().equals(f.path("userId").asText())
                && "offline".equals(f.path("state").asText()));
    }

    @Test
    void someoneAddedThroughOneNodeGetsTheConversationAndItsMessagesOnTheOther() {
        Api.Session alice = user();
        Api.Session bob = user();
        Api.Session carol = user();
        String c = apiA.group(alice, "growing", bob);
        WsClient carolOnB = socket(b, carol);

        var added = apiA.post("/v1/conversations/" + c + "/members", alice.token(),
                Map.of("userIds", List.of(carol.userId())));
        assertThat(added.status()).isEqualTo(200);
        carolOnB.await(f -> is(f, "conversation") && c.equals(f.path("conversationId").asText()));

        WsClient aliceOnA = socket(a, alice);
        long seq = aliceOnA.call("send", "conversationId", c, "clientMsgId", "w1", "body", "welcome carol")
                .path("seq").asLong();
        carolOnB.await(f -> is(f, "message") && f.path("seq").asLong() == seq);
    }

    @Test
    void aUsersSendRateIsOneBucketAcrossNodes() {
        Api.Session alice = user();
        Api.Session bob = user();
        String c = apiA.group(alice, "limits", bob);
        WsClient first = socket(a, alice);
        WsClient second = socket(b, apiB.signIn(alice.handle()));
        for (int i = 0; i < 4; i++) {
            WsClient via = i % 2 == 0 ? first : second;
            assertThat(via.call("send", "conversationId", c, "clientMsgId", "r" + i, "body", "x").path("t").asText())
                    .as("send %d within the burst", i).isEqualTo("sent");
        }
        for (WsClient via : List.of(first, second)) {
            JsonNode refused = via.call("send", "conversationId", c, "clientMsgId", "over-" + via.hashCode(),
                    "body", "x");
            assertThat(refused.path("code").asText()).isEqualTo("rate_limited");
            assertThat(refused.path("retryAfterMs").asLong()).isPositive();
        }
    }
}
