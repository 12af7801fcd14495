package dev.parley.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.TestClock;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions end and memberships change even when the bus message that announces it is lost: the node
 * re-checks every open socket against the store on a timer (200 ms here). The changes below are made
 * straight in the database, so no bus message exists at all. Idle sessions expire: with the node's clock
 * moved past the lifetime, the token gets 401 over HTTP and 4401 on {@code hello}.
 */
class SessionAuditIT {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path data;

    private ParleyServer start(Clock clock) {
        return ParleyServer.start(ServerConfig.embedded(data, 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY.withSessions(HOUR, 200)), clock);
    }

    /** Runs one statement on the node's SQLite file from outside the node, as an operator (or a lost event) would. */
    private void behindTheNodesBack(String sql, String... params) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("parley.db"));
             PreparedStatement ps = c.prepareStatement(sql)) {
            c.createStatement().execute("PRAGMA busy_timeout = 10000");
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aSessionRevokedWithoutABusMessageIsClosedWith4401() throws Exception {
        try (ParleyServer server = start(Clock.systemUTC())) {
            Api api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            try (var a = WsClient.connect(server.port(), alice.token());
                 var b = WsClient.connect(server.port(), bob.token())) {
                assertThat(api.get("/v1/me", alice.token()).status()).isEqualTo(200); // the token is now cached

                behindTheNodesBack("UPDATE devices SET revoked = 1 WHERE device_id = ?", alice.deviceId());

                assertThat(a.awaitClose()).isEqualTo(4401);
                assertThat(api.get("/v1/me", alice.token()).status()).as("cached token dropped").isEqualTo(401);
                assertThat(b.call("ping").path("t").asText()).as("bob's session is untouched").isEqualTo("pong");
            }
            try (var again = WsClient.open(server.port())) {
                again.sendRaw("{\"t\":\"hello\",\"id\":\"1\",\"token\":\"" + alice.token() + "\"}");
                assertThat(again.awaitClose()).isEqualTo(4401);
            }
        }
    }

    @Test
    void aMemberRemovedWithoutABusMessageStopsReceiving() throws Exception {
        try (ParleyServer server = start(Clock.systemUTC())) {
            Api api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            var carol = api.user("carol");
            String group = api.group(alice, "team", bob, carol);
            try (var a = WsClient.connect(server.port(), alice.token());
                 var b = WsClient.connect(server.port(), bob.token());
                 var c = WsClient.connect(server.port(), carol.token())) {
                a.call("send", "conversationId", group, "clientMsgId", "m1", "body", "before");
                b.await(f -> isMessage(f, "before"));

                behindTheNodesBack("DELETE FROM members WHERE conversation_id = ? AND user_id = ?", group, bob.userId());

                // The audit tells bob the conversation as a former member sees it, and unsubscribes him.
                b.await(f -> "conversation".equals(f.path("t").asText()) && group.equals(f.path("conversationId").asText())
                        && !f.path("members").toString().contains(bob.userId()));
                a.call("send", "conversationId", group, "clientMsgId", "m2", "body", "after");
                c.await(f -> isMessage(f, "after"));
                assertThat(b.drain("message", Duration.ofMillis(500))).noneMatch(f -> isMessage(f, "after"));
            }
        }
    }

    private static boolean isMessage(JsonNode f, String body) {
        return "message".equals(f.path("t").asText()) && body.equals(f.path("body").asText());
    }

    @Test
    void anIdleSessionExpiresAndASessionInUseDoesNot() {
        TestClock clock = new TestClock();
        try (ParleyServer server = start(clock)) {
            Api api = new Api(server.port());
            var idle = api.user("idle");
            var busy = api.user("busy");

            clock.advance(40 * 60_000);
            assertThat(api.get("/v1/me", busy.token()).status()).isEqualTo(200);
            clock.advance(40 * 60_000); // idle: 80 minutes unused; busy: 40

            var refused = api.get("/v1/me", idle.token());
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body().path("error").path("code").asText()).isEqualTo("unauthorized");
            try (var ws = WsClient.open(server.port())) {
                ws.sendRaw("{\"t\":\"hello\",\"id\":\"1\",\"token\":\"" + idle.token() + "\"}");
                assertThat(ws.awaitClose()).isEqualTo(4401);
            }
            assertThat(api.get("/v1/me", busy.token()).status()).isEqualTo(200);
            // A new sign-in is a new session and works at once.
            var back = api.post("/v1/sessions", null, Map.of("handle", "idle", "password", "pw-idle-secret"));
            assertThat(back.status()).isEqualTo(201);
            assertThat(api.get("/v1/me", back.body().path("token").asText()).status()).isEqualTo(200);
        }
    }

    @Test
    void anOpenSocketKeepsItsSessionAliveUntilTheClockJumpsPastTheLifetime() {
        TestClock clock = new TestClock();
        try (ParleyServer server = start(clock)) {
            Api api = new Api(server.port());
            var alice = api.user("alice");
            try (var ws = WsClient.connect(server.port(), alice.token())) {
                for (int i = 0; i < 6; i++) {
                    clock.advance(20 * 60_000); // two hours in all, the socket open throughout
                    long now = clock.millis();
                    await().atMost(Duration.ofSeconds(10)).until(() -> storedLastUse(alice.deviceId()) == now);
                    assertThat(ws.isClosed()).as("after %d minutes", 20 * (i + 1)).isFalse();
                }
                assertThat(api.get("/v1/me", alice.token()).status()).isEqualTo(200);

                clock.advance(2 * HOUR); // no audit could see the socket in use during this jump
                assertThat(ws.awaitClose()).isEqualTo(4401);
            }
            assertThat(api.get("/v1/me", alice.token()).status()).isEqualTo(401);
        }
    }

    /** The device's last use as the store has it (an audit of its open socket writes it). */
    private long storedLastUse(String deviceId) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("parley.db"));
             PreparedStatement ps = c.prepareStatement("SELECT last_used_at_ms FROM devices WHERE device_id = ?")) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
