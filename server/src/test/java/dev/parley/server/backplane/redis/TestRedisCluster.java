package dev.parley.server.backplane.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A private three-shard Redis Cluster (no replicas) for tests, started once per test JVM from the
 * {@code redis-server} and {@code redis-cli} binaries on free ports, and stopped when the JVM exits. Without
 * the binaries tests are skipped (failed under {@code CI=true}).
 */
public final class TestRedisCluster {
    private static String url;
    private static Path dir;
    private static final List<Process> processes = new ArrayList<>();

    private TestRedisCluster() {
    }

    /** Seed URLs of the running cluster, comma-separated. */
    public static synchronized String url() {
        if (url == null) {
            url = start();
        }
        return url;
    }

    private static String start() {
        if (!Files.isExecutable(Path.of("/usr/bin/redis-server")) || !Files.isExecutable(Path.of("/usr/bin/redis-cli"))) {
            String message = "redis-server and redis-cli are needed for the Redis Cluster tests";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + " [CI=true: failing instead of skipping]");
            }
            Assumptions.abort(message);
        }
        try {
            dir = Files.createTempDirectory("parley-redis-cluster-");
            List<String> nodes = new ArrayList<>();
            Runtime.getRuntime().addShutdownHook(new Thread(TestRedisCluster::stop));
            for (int i = 0; i < 3; i++) {
                int port = freePort();
                Path d = Files.createDirectories(dir.resolve(Integer.toString(port)));
                processes.add(new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port), "--bind",
                        "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--save", "",
                        "--appendonly", "no", "--dir", d.toString()).redirectErrorStream(true)
                        .redirectOutput(d.resolve("redis.log").toFile()).start());
                nodes.add("127.0.0.1:" + port);
            }
            for (String n : nodes) {
                awaitPing(n);
            }
            List<String> create = new ArrayList<>(List.of("/usr/bin/redis-cli", "--cluster", "create"));
            create.addAll(nodes);
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(create).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("create.log").toFile()).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: "
                        + Files.readString(dir.resolve("create.log")));
            }
            awaitClusterOk(nodes.getFirst());
            return String.join(",", nodes.stream().map(n -> "redis://" + n).toList());
        } catch (IOException | InterruptedException e) {
            stop();
            throw new IllegalStateException("cannot start a Redis Cluster", e);
        }
    }

    private static void awaitPing(String hostPort) throws IOException, InterruptedException {
        String[] hp = hostPort.split(":");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Process p = new ProcessBuilder("/usr/bin/redis-cli", "-h", hp[0], "-p", hp[1], "ping")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() == 0 && out.contains("PONG")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server " + hostPort + " did not start");
    }

    private static void awaitClusterOk(String hostPort) throws IOException, InterruptedException {
        String[] hp = hostPort.split(":");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Process p = new ProcessBuilder("/usr/bin/redis-cli", "-h", hp[0], "-p", hp[1], "cluster", "info")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() == 0 && out.contains("cluster_state:ok")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok");
    }

    /** Deletes every key under {@code prefix} on every shard. */
    public static void deleteKeys(String prefix) {
        RedisClusterClient client = RedisClusterClient.create(url().split(",")[0]);
        try (var c = client.connect()) {
            var keys = c.sync().keys(prefix + "*");
            for (String k : keys) {
                c.sync().del(k);
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** A free port whose cluster-bus port (+10000) is free too. */
    private static int freePort() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + random.nextInt(30_000);
            try (ServerSocket a = new ServerSocket(port); ServerSocket b = new ServerSocket(port + 10_000)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port pair for a Redis Cluster node");
    }

    private static synchronized void stop() {
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
