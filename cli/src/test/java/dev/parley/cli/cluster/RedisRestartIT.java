package dev.parley.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a private {@code redis-server} (so killing it disturbs nobody else) and PostgreSQL. Redis is
 * killed and restarted empty under load: sends keep being stored and answered, sockets stay up, and
 * every member ends up with every message live, without syncing themselves: the nodes re-read from the
 * store what the bus dropped. {@link JetStreamRestartIT} kills the NATS server of the stream bus instead.
 */
class RedisRestartIT {

    /** The medium that carries the events, which the test kills (SIGKILL) and starts again. */
    interface Bus extends AutoCloseable {
        /** What the nodes need besides the store to use it. */
        Map<String, String> env();

        void kill() throws Exception;

        void start() throws Exception;

        @Override
        void close() throws Exception;
    }

    /** The bus under test, with its files under {@code dir}. */
    protected Bus bus(Path dir) throws Exception {
        Backends.PrivateRedis redis = new Backends.PrivateRedis(Files.createDirectories(dir.resolve("redis")));
        return new Bus() {
            @Override
            public Map<String, String> env() {
                return Map.of("PARLEY_REDIS_URL", redis.url());
            }

            @Override
            public void kill() throws Exception {
                redis.kill();
            }

            @Override
            public void start() throws Exception {
                redis.start();
            }

            @Override
            public void close() throws Exception {
                redis.close();
            }
        };
    }

    /** Its name in the report ({@code target/cluster-<name>-restart.txt}). */
    protected String busName() {
        return "redis";
    }

    @Test
    void restartingTheBusUnderLoadLosesNothing() throws Exception {
        Path dir = Files.createTempDirectory("parley-" + busName() + "-restart-");
        List<TestClient> clients = new ArrayList<>();
        List<ClusterNode> nodes = new ArrayList<>();
        Bus bus = bus(dir);
        Backends.Schema schema = Backends.freshSchema();
        try {
            Map<String, String> env = new java.util.HashMap<>(Map.of("PARLEY_STORE_URL", schema.url(),
                    "PARLEY_SEND_RATE", "0", "PARLEY_SIGNUPS_PER_HOUR", "0"));
            env.putAll(bus.env());
            nodes.add(ClusterNode.launch("r1", Files.createDirectories(dir.resolve("r1")), env));
            nodes.getFirst().awaitHealthy();
            nodes.add(ClusterNode.launch("r2", Files.createDirectories(dir.resolve("r2")), env));
            nodes.get(1).awaitHealthy();

            for (int i = 0; i < 6; i++) {
                URI node = URI.create("http://127.0.0.1:" + nodes.get(i % 2).port);
                // Reconnects would sync; gap syncs are off, so what arrives is what the nodes delivered.
                clients.add(TestClient.signUp(node, "rr" + i + "x" + System.nanoTime() % 100000, true, false));
            }
            String c = clients.getFirst().createGroup("outage", clients.subList(1, clients.size()));
            for (TestClient m : clients) {
                m.follow(c);
                m.connect();
            }

            AtomicBoolean sending = new AtomicBoolean(true);
            Set<String> sent = ConcurrentHashMap.newKeySet();
            List<Thread> senders = new ArrayList<>();
            for (TestClient m : clients) {
                senders.add(Thread.ofVirtual().start(() -> {
                    int i = 0;
                    while (sending.get()) {
                        String cmid = m.name + "-" + (i++);
                        sent.add(cmid);
                        m.send(c, cmid, "during outage? " + cmid);
                        try {
                            Thread.sleep(40);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            Thread.sleep(1_500);
            bus.kill();
            Thread.sleep(1_500);
            long storedBeforeRestart = schema.queryLong("SELECT last_seq FROM conversations WHERE id = '" + c + "'");
            bus.start();
            long restartedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    clients.stream().allMatch(m -> m.contiguous(c) >= storedBeforeRestart));
            long healedMs = (System.nanoTime() - restartedAt) / 1_000_000;
            Thread.sleep(1_500);
            sending.set(false);
            for (Thread t : senders) {
                t.join();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(m -> m.outboxSize() == 0));
            long last = schema.queryLong("SELECT last_seq FROM conversations WHERE id = '" + c + "'");
            assertThat(last).isEqualTo(sent.size());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (TestClient m : clients) {
                    assertThat(m.contiguous(c)).as("%s holds everything", m.name).isEqualTo(last);
                }
            });
            for (TestClient m : clients) {
                assertThat(m.disconnects.get()).as("%s kept its socket through the %s outage", m.name, busName())
                        .isZero();
                Set<String> held = new HashSet<>();
                for (JsonNode e : m.entries(c).values()) {
                    assertThat(held.add(e.get("clientMsgId").asText())).as("none twice").isTrue();
                }
                assertThat(held).isEqualTo(sent);
            }
            String report = String.format("[cluster] %s restart: %d messages in all; the %d stored before it"
                    + " came back (1.5 s of them while it was down) were held by every member %d ms after it came back%n",
                    busName(), last, storedBeforeRestart, healedMs);
            System.out.print(report);
            Files.writeString(Path.of("target", "cluster-" + busName() + "-restart.txt"), report);
        } finally {
            clients.forEach(TestClient::close);
            for (ClusterNode n : nodes) {
                System.out.println("[cluster] log of " + n.name + ": " + n.log);
                n.close();
            }
            bus.close();
            schema.close();
            Backends.deleteTree(dir);
        }
    }
}
