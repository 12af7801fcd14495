package dev.parley.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the bus comes back after an outage, the node audits its open sockets at once instead of waiting
 * for the timer (set to an hour here): a session revoked while Redis was down, whose bus message was lost,
 * is closed with 4401 as soon as Redis is back. Uses a private {@code redis-server} it can stop and restart.
 */
class AuditOnReconnectIT {
    private static final Path REDIS = Path.of("/usr/bin/redis-server");

    @TempDir
    Path data;

    @Test
    void aSessionRevokedDuringABusOutageIsClosedWhenTheBusReconnects() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(REDIS), "redis-server is not installed");
        int port = freePort();
        Process redis = startRedis(port);
        try (ParleyServer server = ParleyServer.start(ServerConfig.embedded(data.resolve("node"), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY.withSessions(30L * 24 * 3_600_000, 3_600_000))
                .withBus(new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, "redis://127.0.0.1:" + port,
                        "audit:", false, false, 30_000)))) {
            Api api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            try (var a = WsClient.connect(server.port(), alice.token());
                 var b = WsClient.connect(server.port(), bob.token())) {
                redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                // Signed out while the bus is down: nobody hears about it.
                try (var c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("node").resolve("parley.db"));
                     PreparedStatement ps = c.prepareStatement("UPDATE devices SET revoked = 1 WHERE device_id = ?")) {
                    ps.setString(1, alice.deviceId());
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                assertThat(a.isClosed()).isFalse();

                redis = startRedis(port);

                assertThat(a.awaitClose()).isEqualTo(4401);
                assertThat(b.call("ping").path("t").asText()).isEqualTo("pong");
            }
        } finally {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process startRedis(int port) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(data.resolve("redis"));
        Process p = new ProcessBuilder(REDIS.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not start on " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
