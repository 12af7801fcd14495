package dev.parley.cli.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * PostgreSQL and Redis for the cluster tests: from {@code PARLEY_TEST_PG_URL} / {@code PARLEY_TEST_REDIS_URL}
 * (defaults 127.0.0.1), each test run in a fresh schema and under a fresh Redis prefix. Unreachable backends
 * skip the test, or fail it under {@code CI=true}.
 */
final class Backends {
    private Backends() {
    }

    static void unavailable(String message, Exception cause) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " [CI=true: failing instead of skipping]", cause);
        }
        Assumptions.abort(message);
    }

    /** Deletes a folder and everything in it (best effort). */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    static String pgServerUrl() {
        String url = System.getenv("PARLEY_TEST_PG_URL");
        return url == null || url.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres" : url;
    }

    static String redisUrl() {
        String url = System.getenv("PARLEY_TEST_REDIS_URL");
        return url == null || url.isBlank() ? "redis://127.0.0.1:6379" : url;
    }

    /** A fresh schema; {@link Schema#url()} is the JDBC URL for the nodes. */
    static Schema freshSchema() {
        String base = pgServerUrl();
        String name = "cl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            unavailable("PostgreSQL at " + base + " is not usable: " + e.getMessage(), e);
        }
        return new Schema(base, name, base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name);
    }

    record Schema(String serverUrl, String name, String url) implements AutoCloseable {
        /** Runs one query returning a single long. */
        long queryLong(String sql) throws SQLException {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 var rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() {
            try (Connection c = DriverManager.getConnection(serverUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop " + name, e);
            }
        }
    }

    /** Checks Redis answers PING and returns a fresh key/channel prefix. */
    static String freshRedisPrefix() {
        URI uri = URI.create(redisUrl());
        if (!ping(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort())) {
            unavailable("Redis at " + redisUrl() + " is not reachable", null);
        }
        return "it:" + UUID.randomUUID().toString().substring(0, 12) + ":";
    }

    /** Deletes every key under {@code prefix} in the shared Redis (tests leave nothing behind). */
    static void deleteRedisKeys(String prefix) {
        var client = io.lettuce.core.RedisClient.create(redisUrl());
        try (var c = client.connect()) {
            var keys = c.sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(String[]::new));
            }
        } catch (RuntimeException e) {
            // best effort
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    static boolean ping(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** A private {@code redis-server} on its own port, which a test may kill and restart. */
    static final class PrivateRedis implements AutoCloseable {
        final int port;
        private final Path dir;
        private Process process;

        PrivateRedis(Path dir) throws IOException, InterruptedException {
            if (!Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
                unavailable("redis-server is not installed (apt-get install -y redis-server)", null);
            }
            this.dir = dir;
            this.port = ClusterNode.freePort();
            start();
        }

        String url() {
            return "redis://127.0.0.1:" + port;
        }

        void start() throws IOException, InterruptedException {
            process = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("redis.log").toFile())).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!ping("127.0.0.1", port)) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("private redis-server did not start: "
                            + Files.readString(dir.resolve("redis.log")));
                }
                Thread.sleep(50);
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                kill();
            }
        }
    }

    /**
     * A private {@code nats-server -js} on its own port and store folder (the machine's NATS on 4222 is not ours),
     * which a test may kill and restart on the same data.
     */
    static final class PrivateNats implements AutoCloseable {
        final int port;
        private final Path dir;
        private final Path binary;
        private Process process;

        PrivateNats(Path dir) throws IOException, InterruptedException {
            Path sbin = Path.of("/usr/sbin/nats-server");
            binary = Files.isExecutable(sbin) ? sbin : Path.of("/usr/bin/nats-server");
            if (!Files.isExecutable(binary)) {
                unavailable("nats-server is not installed (apt-get install -y nats-server)", null);
            }
            this.dir = dir;
            this.port = ClusterNode.freePort();
            start();
        }

        String url() {
            return "nats://127.0.0.1:" + port;
        }

        void start() throws IOException, InterruptedException {
            process = new ProcessBuilder(binary.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js",
                    "-sd", dir.resolve("js").toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nats.log").toFile())).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw new IllegalStateException("private nats-server did not start: "
                                + Files.readString(dir.resolve("nats.log")));
                    }
                    Thread.sleep(20);
                }
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                kill();
            }
        }
    }
}
