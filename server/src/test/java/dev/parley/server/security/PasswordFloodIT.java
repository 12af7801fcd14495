package dev.parley.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConnectionConfig;
import dev.parley.server.config.SecurityConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.security.Flood.Answer;
import dev.parley.server.security.Flood.Shot;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods of sign-ups and sign-ins at a node with the real Argon2id cost (19 MiB per hash): each answer is
 * a success, {@code 429 rate_limited} or {@code 503 unavailable}, both with {@code Retry-After}; accounts
 * per address stay within the hourly allowance; and two users keep chatting over WebSockets throughout,
 * because hashing runs on its own bounded pool, not on the carriers that serve sockets.
 */
class PasswordFloodIT {
    @TempDir
    Path data;

    private static ParleyServer start(Path data, SecurityConfig security) {
        // No withPassword(...): the shipped Argon2id cost. The per-address connection caps are lifted, so the
        // whole flood reaches the accounts endpoints instead of being turned away at the door.
        return ParleyServer.start(ServerConfig.embedded(data, 0).withSendRate(0).withSecurity(security)
                .withConnections(ConnectionConfig.defaults().withoutLimits()));
    }

    @Test
    void aSignUpFloodFromOneAddressGetsOnlyItsAllowanceWhileChatGoesOn() throws Exception {
        SecurityConfig security = SecurityConfig.defaults().withTrustedProxies(List.of("127.0.0.1"));
        int perHour = security.signUpsPerHourPerAddress();
        try (ParleyServer server = start(data, security)) {
            Api api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            String c = api.direct(alice, bob);
            try (var a = WsClient.connect(server.port(), alice.token());
                 var b = WsClient.connect(server.port(), bob.token())) {
                Chatter chatter = new Chatter(a, b, c);
                long started = System.nanoTime();
                // One attacker behind the (trusted) load balancer: every request forwarded for 203.0.113.50.
                List<Answer> answers = Flood.post(server.port(), "/v1/accounts", 300, i -> new Shot(
                        Map.of("handle", "flood" + i, "password", "flood-password-" + i),
                        Map.of("X-Forwarded-For", "203.0.113.50")));
                double hours = (System.nanoTime() - started) / 3.6e12;
                int rounds = chatter.stop();

                assertThat(answers).allSatisfy(PasswordFloodIT::isAcceptedOrRefusedWithRetryAfter);
                long created = Flood.count(answers, 201);
                assertThat(created).as("answers %s", Flood.byStatus(answers))
                        .isPositive().isLessThanOrEqualTo(perHour + (long) Math.ceil(hours * perHour));
                assertThat(Flood.count(answers, 429)).isGreaterThanOrEqualTo(300 - created - Flood.count(answers, 503))
                        .isPositive();
                assertThat(rounds).as("chat rounds during the flood").isPositive();
            }
            // Afterwards: someone else (another forwarded address) signs up, in, and chats.
            assertStillServing(server, "198.51.100.20", alice.userId());
        }
    }

    @Test
    void aHashingFloodIsHeldToTheBoundedPoolWhileChatGoesOn() throws Exception {
        // One hash at a time and two waiting: most of a flood is refused at once with 503.
        SecurityConfig security = SecurityConfig.defaults().withSignUpsPerHourPerAddress(0).withHashing(1, 2)
                .withTrustedProxies(List.of("127.0.0.1"));
        try (ParleyServer server = start(data, security)) {
            Api api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            String c = api.direct(alice, bob);
            resetPeakHeap();
            try (var a = WsClient.connect(server.port(), alice.token());
                 var b = WsClient.connect(server.port(), bob.token())) {
                Chatter chatter = new Chatter(a, b, c);
                List<Answer> answers = Flood.post(server.port(), "/v1/sessions", 300, i -> Shot.of(i % 2 == 0
                        ? Map.of("handle", "flood" + i, "password", "flood-password-" + i)
                        : Map.of("handle", "bob", "password", "pw-bob-secret", "deviceName", "flood " + i)));
                List<Answer> signUps = Flood.post(server.port(), "/v1/accounts", 300, i -> Shot.of(
                        Map.of("handle", "mass" + i, "password", "mass-password-" + i)));
                int rounds = chatter.stop();

                assertThat(answers).allSatisfy(PasswordFloodIT::isAcceptedOrRefusedWithRetryAfter);
                assertThat(signUps).allSatisfy(PasswordFloodIT::isAcceptedOrRefusedWithRetryAfter);
                assertThat(Flood.count(answers, 503)).as("sign-ins %s", Flood.byStatus(answers)).isPositive();
                assertThat(Flood.count(signUps, 503)).as("sign-ups %s", Flood.byStatus(signUps)).isPositive();
                assertThat(Flood.count(signUps, 201)).isPositive();
                assertThat(Flood.count(answers, 201) + Flood.count(answers, 401)).isPositive();
                assertThat(rounds).as("chat rounds during the flood").isPositive();
                System.out.printf("hashing flood: sign-ins %s, sign-ups %s, peak heap %d MiB, %d chat rounds%n",
                        Flood.byStatus(answers), Flood.byStatus(signUps), peakHeapMiB(), rounds);
            }
            assertStillServing(server, "198.51.100.21", alice.userId());
        }
    }

    private static void isAcceptedOrRefusedWithRetryAfter(Answer a) {
        assertThat(a.status()).as("%s", a).isIn(201, 401, 429, 503);
        if (a.status() == 429) {
            assertThat(a.code()).isEqualTo("rate_limited");
            assertThat(a.retryAfter()).as("Retry-After of %s", a).isNotNull();
        }
        if (a.status() == 503) {
            assertThat(a.code()).isEqualTo("unavailable");
            assertThat(a.retryAfter()).as("Retry-After of %s", a).isNotNull();
        }
        if (a.status() == 401) {
            assertThat(a.code()).isEqualTo("unauthorized"); // a flood handle that does not exist
        }
    }

    /**
     * A fresh client (behind the trusted proxy, forwarded for {@code forwardedFor}) signs up and in, opens a
     * socket and sends to {@code peerUserId}.
     */
    static void assertStillServing(ParleyServer server, String forwardedFor, String peerUserId) {
        Map<String, String> from = Map.of("X-Forwarded-For", forwardedFor);
        String handle = "fresh" + Long.toString(System.nanoTime() % 1_000_000, 36);
        var created = Flood.one(server.port(), "/v1/accounts", Map.of("handle", handle, "password", "fresh-password"),
                from);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        var session = Flood.one(server.port(), "/v1/sessions", Map.of("handle", handle, "password", "fresh-password"),
                from);
        assertThat(session.status()).as("%s", session).isEqualTo(201);
        String token = session.body().path("token").asText();
        var conversation = new Api(server.port()).post("/v1/conversations", token,
                Map.of("kind", "direct", "members", List.of(peerUserId)));
        assertThat(conversation.status()).isIn(200, 201);
        try (var ws = WsClient.connect(server.port(), token)) {
            assertThat(ws.call("send", "conversationId", conversation.body().path("conversationId").asText(),
                    "clientMsgId", "hello", "body", "still here").path("t").asText()).isEqualTo("sent");
        }
    }

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeapMiB() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum / (1024 * 1024);
    }
}
