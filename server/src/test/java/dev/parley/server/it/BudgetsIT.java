package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.RateBudgets;
import dev.parley.core.RateBudgets.Budget;
import dev.parley.core.RateBudgets.Name;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budgets on typing, read/delivered, conversation creation, member adds, history and sync, over real
 * sockets against real nodes: each flood is refused or folded, and other users are served throughout.
 */
class BudgetsIT {
    /** Refills so slowly that no token comes back during a test: counts are exact. */
    private static final double SLOW = 0.01;

    @TempDir
    Path data;
    private final List<ParleyServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(ParleyServer::close);
    }

    private ParleyServer start(RateBudgets budgets) {
        ParleyServer s = ParleyServer.start(ServerConfig.embedded(data.resolve("n" + servers.size()), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withBudgets(budgets));
        servers.add(s);
        return s;
    }

    /** Tight per-user budgets; per-address ones left at their (generous) defaults. */
    private static RateBudgets tightPerUser() {
        return RateBudgets.defaults()
                .with(Name.TYPING, new Budget(1, 3))
                .with(Name.WATERMARKS, new Budget(1, 3))
                .with(Name.CONVERSATION_CREATES, new Budget(SLOW, 3))
                .with(Name.MEMBER_ADDS, new Budget(SLOW, 2))
                .with(Name.READS, new Budget(SLOW, 5));
    }

    private static RateBudgets disabled(RateBudgets b) {
        return new RateBudgets(false, b.typing(), b.conversationCreates(), b.conversationCreatesPerAddress(),
                b.memberAdds(), b.memberAddsPerAddress(), b.reads(), b.readsPerAddress(), b.watermarks());
    }

    private static boolean is(JsonNode f, String t) {
        return t.equals(f.path("t").asText());
    }

    private static String frame(String type, String conversationId, String field, Object value, String id) {
        String v = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return "{\"t\":\"" + type + "\"," + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"conversationId\":\""
                + conversationId + "\",\"" + field + "\":" + v + "}";
    }

    /** Carol sends to dave and dave receives it live: the node is serving other users. */
    private static void othersAreServed(WsClient carol, WsClient dave, String conversationId, String clientMsgId) {
        JsonNode sent = carol.call("send", "conversationId", conversationId, "clientMsgId", clientMsgId, "body", "still here");
        assertThat(sent.path("t").asText()).isEqualTo("sent");
        JsonNode got = dave.await(f -> is(f, "message") && clientMsgId.equals(f.path("clientMsgId").asText()));
        assertThat(got.path("body").asText()).isEqualTo("still here");
    }

    private static void assertRateLimited(Api.Response r) {
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.body().path("error").path("code").asText()).isEqualTo("rate_limited");
        long retryAfterMs = r.body().path("error").path("retryAfterMs").asLong();
        assertThat(retryAfterMs).isPositive();
        assertThat(Long.parseLong(r.header("Retry-After"))).isEqualTo(Math.max(1, (retryAfterMs + 999) / 1000));
    }

    private static void assertRateLimited(JsonNode frame) {
        assertThat(frame.path("t").asText()).isEqualTo("error");
        assertThat(frame.path("code").asText()).isEqualTo("rate_limited");
        assertThat(frame.path("retryAfterMs").asLong()).isPositive();
    }

    @Test
    void aTypingBurstReachesTheOtherMemberAsAHandfulOfEventsAndTheLastStateWins() {
        ParleyServer server = start(tightPerUser());
        Api api = new Api(server.port());
        var alice = api.user("alice");
        var bob = api.user("bob");
        var carol = api.user("carol");
        var dave = api.user("dave");
        String c = api.direct(alice, bob);
        String side = api.direct(carol, dave);
        try (var a = WsClient.connect(server.port(), alice.token()); var b = WsClient.connect(server.port(), bob.token());
             var cc = WsClient.connect(server.port(), carol.token());
             var d = WsClient.connect(server.port(), dave.token())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 600; i++) {
                a.sendRaw(frame("typing", c, "state", i % 2 == 0 ? "start" : "stop", null));
                if (i == 300) {
                    othersAreServed(cc, d, side, "during");
                }
            }
            a.call("ping"); // every typing frame has been handled
            double elapsedSeconds = (System.nanoTime() - t0) / 1e9;
            // The last word (stop) is owed and shown once the budget refills (1 a second).
            List<JsonNode> seen = b.drain("typing", Duration.ofMillis(2_500));
            assertThat(seen).isNotEmpty();
            assertThat(seen).allSatisfy(f -> assertThat(f.path("userId").asText()).isEqualTo(alice.userId()));
            assertThat(seen.size()).isLessThanOrEqualTo(3 + (int) Math.ceil(elapsedSeconds) + 2);
            assertThat(seen.getLast().path("state").asText()).isEqualTo("stop");
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i).path("state").asText()).isNotEqualTo(seen.get(i - 1).path("state").asText());
            }

            // Frames with an id are told when they are over the budget, with the time to wait.
            List<JsonNode> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(a.call("typing", "conversationId", c, "state", i % 2 == 0 ? "start" : "stop"));
            }
            assertThat(answers).allSatisfy(f -> assertThat(f.path("t").asText()).isIn("ok", "error"));
            assertThat(answers).filteredOn(f -> is(f, "error")).isNotEmpty()
                    .allSatisfy(BudgetsIT::assertRateLimited);
            othersAreServed(cc, d, side, "after");
        }
    }

    /**
     * 5,000 read/delivered frames: up to seq 50 by the middle of the burst, then stale ones with lower seqs
     * to the end; every 100th carries an id. Returns those ids.
     */
    private static List<String> receiptFlood(WsClient b, String c, Runnable midway) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long seq = i < 2_500 ? Math.min(50, i / 50 + 1) : 10 + i % 7;
            String id = i % 100 == 0 ? "w" + i : null;
            if (id != null) {
                ids.add(id);
            }
            b.sendRaw(frame(i % 2 == 0 ? "read" : "delivered", c, "seq", seq, id));
            if (i == 2_500) {
                midway.run();
            }
        }
        return ids;
    }

    @Test
    void fiveThousandReadAndDeliveredFramesBecomeAFewWritesEndingAtTheRightWatermark() {
        ParleyServer server = start(tightPerUser());
        Api api = new Api(server.port());
        var alice = api.user("alice");
        var bob = api.user("bob");
        var carol = api.user("carol");
        var dave = api.user("dave");
        String c = api.direct(alice, bob);
        String side = api.direct(carol, dave);
        try (var a = WsClient.connect(server.port(), alice.token()); var b = WsClient.connect(server.port(), bob.token());
             var cc = WsClient.connect(server.port(), carol.token());
             var d = WsClient.connect(server.port(), dave.token())) {
            for (int i = 1; i <= 50; i++) {
                a.call("send", "conversationId", c, "clientMsgId", "m" + i, "body", "message " + i);
            }
            long t0 = System.nanoTime();
            List<String> ids = receiptFlood(b, c, () -> othersAreServed(cc, d, side, "during"));
            b.call("ping");
            double elapsedSeconds = (System.nanoTime() - t0) / 1e9;
            // What the other member saw, in order: a handful of receipts, never moving back, ending at 50.
            List<JsonNode> receipts = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (receipts.stream().noneMatch(r -> r.path("readSeq").asLong() == 50) && System.nanoTime() < deadline) {
                receipts.addAll(a.drain("receipt", Duration.ofMillis(200)));
            }
            receipts.addAll(a.drain("receipt", Duration.ofMillis(1_500)));
            receipts.removeIf(r -> !bob.userId().equals(r.path("userId").asText()));
            assertThat(receipts).isNotEmpty();
            for (int i = 1; i < receipts.size(); i++) {
                assertThat(receipts.get(i).path("readSeq").asLong())
                        .isGreaterThanOrEqualTo(receipts.get(i - 1).path("readSeq").asLong());
                assertThat(receipts.get(i).path("deliveredSeq").asLong())
                        .isGreaterThanOrEqualTo(receipts.get(i - 1).path("deliveredSeq").asLong());
            }
            assertThat(receipts.getLast().path("readSeq").asLong()).isEqualTo(50);
            assertThat(receipts.getLast().path("deliveredSeq").asLong()).isEqualTo(50);
            // Store writes are bounded by the watermark budget (burst 3, 1 a second), whatever the frame count.
            assertThat(receipts.size()).isLessThanOrEqualTo(3 + (int) Math.ceil(elapsedSeconds) + 2);

            for (String id : ids) {
                JsonNode answer = b.await(f -> id.equals(f.path("id").asText(null)));
                assertThat(answer.path("t").asText()).isEqualTo("ok");
            }
            JsonNode conv = api.get("/v1/conversations", bob.token()).body().path("conversations").get(0);
            assertThat(conv.path("readSeq").asLong()).isEqualTo(50);
            assertThat(conv.path("deliveredSeq").asLong()).isEqualTo(50);
            othersAreServed(cc, d, side, "after");
        }
    }

    @Test
    void receiptsFromAnOrdinaryClientStillArriveOneByOne() {
        ParleyServer server = start(RateBudgets.defaults());
        Api api = new Api(server.port());
        var alice = api.user("alice");
        var bob = api.user("bob");
        String c = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token()); var b = WsClient.connect(server.port(), bob.token())) {
            for (int i = 1; i <= 3; i++) {
                a.call("send", "conversationId", c, "clientMsgId", "m" + i, "body", "hi " + i);
                b.await(f -> is(f, "message"));
                assertThat(b.call("delivered", "conversationId", c, "seq", i).path("t").asText()).isEqualTo("ok");
                int seq = i;
                a.await(f -> is(f, "receipt") && f.path("deliveredSeq").asLong() == seq);
                assertThat(b.call("read", "conversationId", c, "seq", i).path("t").asText()).isEqualTo("ok");
                a.await(f -> is(f, "receipt") && f.path("readSeq").asLong() == seq);
            }
        }
    }

    @Test
    void creationsMemberAddsHistoryAndSyncPastTheUserBudgetAreRefusedWithTheTimeToWait() {
        ParleyServer server = start(tightPerUser());
        Api api = new Api(server.port());
        var erin = api.user("erin");
        var frank = api.user("frank");
        var gina = api.user("gina");
        var hal = api.user("hal");
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            groups.add(api.group(erin, "g" + i));
        }
        var refusedCreate = api.post("/v1/conversations", erin.token(), Map.of("kind", "group", "members",
                List.of(frank.userId()), "title", "one too many"));
        assertRateLimited(refusedCreate);
        assertThat(api.get("/v1/conversations", erin.token()).body().path("conversations")).hasSize(3);

        String g = groups.getFirst();
        assertThat(api.post("/v1/conversations/" + g + "/members", erin.token(),
                Map.of("userIds", List.of(frank.userId()))).status()).isEqualTo(200);
        assertThat(api.post("/v1/conversations/" + g + "/members", erin.token(),
                Map.of("userIds", List.of(gina.userId()))).status()).isEqualTo(200);
        assertRateLimited(api.post("/v1/conversations/" + g + "/members", erin.token(),
                Map.of("userIds", List.of(hal.userId()))));

        // Reads: one conversation list above, three history pages, one sync page; then all three refused.
        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/v1/conversations/" + g + "/messages?limit=1", erin.token()).status()).isEqualTo(200);
        }
        try (var e = WsClient.connect(server.port(), erin.token());
             var f = WsClient.connect(server.port(), frank.token())) {
            assertThat(e.call("sync", "conversationId", g, "afterSeq", 0).path("t").asText()).isEqualTo("ok");
            assertRateLimited(e.call("sync", "conversationId", g, "afterSeq", 0));
            assertRateLimited(api.get("/v1/conversations/" + g + "/messages", erin.token()));
            assertRateLimited(api.get("/v1/conversations", erin.token()));

            // Erin can still talk, and everyone else reads, creates and syncs as before.
            assertThat(e.call("send", "conversationId", g, "clientMsgId", "x", "body", "hello").path("t").asText())
                    .isEqualTo("sent");
            assertThat(f.await(m -> is(m, "message") && "x".equals(m.path("clientMsgId").asText()))).isNotNull();
            assertThat(f.call("sync", "conversationId", g, "afterSeq", 0).path("messages")).isNotEmpty();
            assertThat(api.get("/v1/conversations/" + g + "/messages", frank.token()).status()).isEqualTo(200);
            api.group(frank, "frank's", hal);
        }
    }

    @Test
    void manyUsersBehindOneAddressShareItsBudget() {
        RateBudgets budgets = RateBudgets.defaults()
                .with(Name.CONVERSATION_CREATES_PER_ADDRESS, new Budget(SLOW, 3))
                .with(Name.MEMBER_ADDS_PER_ADDRESS, new Budget(SLOW, 2))
                .with(Name.READS_PER_ADDRESS, new Budget(SLOW, 3));
        ParleyServer server = start(budgets);
        Api api = new Api(server.port());
        List<Api.Session> users = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            users.add(api.user("user" + i));
        }
        String g = api.group(users.get(0), "g0");
        api.group(users.get(1), "g1");
        api.group(users.get(2), "g2");
        // user3 has never created anything, but everyone here is 127.0.0.1.
        assertRateLimited(api.post("/v1/conversations", users.get(3).token(), Map.of("kind", "group", "members",
                List.of(), "title", "g3")));

        assertThat(api.post("/v1/conversations/" + g + "/members", users.get(0).token(),
                Map.of("userIds", List.of(users.get(1).userId()))).status()).isEqualTo(200);
        assertThat(api.post("/v1/conversations/" + g + "/members", users.get(0).token(),
                Map.of("userIds", List.of(users.get(2).userId()))).status()).isEqualTo(200);
        assertRateLimited(api.post("/v1/conversations/" + g + "/members", users.get(0).token(),
                Map.of("userIds", List.of(users.get(3).userId()))));

        assertThat(api.get("/v1/conversations/" + g + "/messages", users.get(0).token()).status()).isEqualTo(200);
        assertThat(api.get("/v1/conversations/" + g + "/messages", users.get(1).token()).status()).isEqualTo(200);
        assertThat(api.get("/v1/conversations", users.get(2).token()).status()).isEqualTo(200);
        assertRateLimited(api.get("/v1/conversations/" + g + "/messages", users.get(2).token()));

        // The socket does not spend HTTP address budgets: the group still chats and syncs.
        try (var a = WsClient.connect(server.port(), users.get(0).token());
             var b = WsClient.connect(server.port(), users.get(1).token())) {
            a.call("send", "conversationId", g, "clientMsgId", "m", "body", "hi");
            assertThat(b.await(f -> is(f, "message"))).isNotNull();
            assertThat(b.call("sync", "conversationId", g, "afterSeq", 0).path("messages")).isNotEmpty();
        }
    }

    @Test
    void withRateLimitsOffTheSameFloodsGoThrough() {
        RateBudgets tight = tightPerUser().with(Name.CONVERSATION_CREATES_PER_ADDRESS, new Budget(SLOW, 1))
                .with(Name.READS_PER_ADDRESS, new Budget(SLOW, 1)).with(Name.MEMBER_ADDS_PER_ADDRESS, new Budget(SLOW, 1));
        ParleyServer server = start(disabled(tight));
        Api api = new Api(server.port());
        var alice = api.user("alice");
        var bob = api.user("bob");
        String c = api.direct(alice, bob);
        try (var a = WsClient.connect(server.port(), alice.token()); var b = WsClient.connect(server.port(), bob.token())) {
            for (int i = 0; i < 600; i++) {
                a.sendRaw(frame("typing", c, "state", i % 2 == 0 ? "start" : "stop", null));
            }
            a.call("ping");
            List<JsonNode> typing = new ArrayList<>();
            while (typing.size() < 600) {
                List<JsonNode> more = b.drain("typing", Duration.ofMillis(500));
                if (more.isEmpty()) {
                    break;
                }
                typing.addAll(more);
            }
            assertThat(typing).hasSize(600);

            for (int i = 1; i <= 50; i++) {
                a.call("send", "conversationId", c, "clientMsgId", "m" + i, "body", "message " + i);
            }
            for (String id : receiptFlood(b, c, () -> { })) {
                assertThat(b.await(f -> id.equals(f.path("id").asText(null))).path("t").asText()).isEqualTo("ok");
            }
            assertThat(a.await(f -> is(f, "receipt") && f.path("readSeq").asLong() == 50)).isNotNull();
            for (int i = 0; i < 20; i++) {
                assertThat(b.call("sync", "conversationId", c, "afterSeq", 0).path("t").asText()).isEqualTo("ok");
                assertThat(api.get("/v1/conversations/" + c + "/messages", bob.token()).status()).isEqualTo(200);
            }
            String g = null;
            for (int i = 0; i < 10; i++) {
                g = api.group(alice, "g" + i, bob);
            }
            for (int i = 0; i < 10; i++) {
                assertThat(api.post("/v1/conversations/" + g + "/members", alice.token(),
                        Map.of("userIds", List.of(bob.userId()))).status()).isEqualTo(200);
            }
        }
    }
}
