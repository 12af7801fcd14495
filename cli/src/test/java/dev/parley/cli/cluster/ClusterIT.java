package dev.parley.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The all-in-one topology: three identical {@code parley.jar} nodes (every role) behind one HAProxy backend, running
 * every check of {@link ClusterSuite}, plus the latency measurement next to a single node.
 */
class ClusterIT extends ClusterSuite {
    @Override
    void startTopology() throws Exception {
        // The first node migrates the schema alone; then the other two start together.
        launch("n1", Map.of()).awaitHealthy();
        launch("n2", Map.of());
        launch("n3", Map.of());
        for (ClusterNode n : nodes) {
            n.awaitHealthy();
        }
        haproxy = Haproxy.start(Files.createDirectories(dir.resolve("lb")), nodes);
    }

    @Override
    String topologyName() {
        return "all-in-one";
    }

    @Override
    List<ClusterNode> gateways() {
        return nodes;
    }

    @Override
    boolean isWorker(ClusterNode node) {
        return true;
    }

    @Override
    ClusterNode victim() {
        return nodes.get(2);
    }

    @Override
    URI http(int i) {
        return node(i);
    }

    @Override
    URI ws(int i) {
        return node(i);
    }

    /**
     * Not a check: measures delivery latency from send to arrival (both timed in this JVM) on a cluster,
     * receivers on the sender's node and on the other nodes, next to a single node (in-process bus) under the
     * same load, and prints the figures.
     */
    @Test
    @Order(4)
    void measureCrossNodeLatencyNextToSingleNode() throws Exception {
        ClusterNode single = ClusterNode.launch("single", Files.createDirectories(dir.resolve("single")),
                Map.of("PARLEY_STORE_URL", env.get("PARLEY_STORE_URL"), "PARLEY_SEND_RATE", "0",
                        "PARLEY_SIGNUPS_PER_HOUR", "0"));
        try {
            single.awaitHealthy();
            URI one = URI.create("http://127.0.0.1:" + single.port);
            URI[] alone = {one, one, one};
            URI[] spread = {node(0), node(1), node(2)};
            // Warm both up, then alternate so that machine noise hits both alike.
            runLoad(alone, 3, null, null);
            runLoad(spread, 3, null, null);
            Stats singleNode = new Stats();
            Stats sameNode = new Stats();
            Stats crossNode = new Stats();
            String load0 = Files.readString(Path.of("/proc/loadavg")).strip();
            for (int round = 0; round < 2; round++) {
                runLoad(alone, 6, singleNode, null);
                runLoad(spread, 6, sameNode, crossNode);
            }
            String load1 = Files.readString(Path.of("/proc/loadavg")).strip();
            String report = """
                    [cluster] send-to-delivery latency, one group of 6 (2 senders and 1 receiver on one node, 3
                    receivers on the other two), 2 senders x 25 msg/s, PostgreSQL store; after a 3 s warm-up of each,
                    two alternating 6 s rounds per setup (loadavg before: %s, after: %s):
                      single node (in-process bus):        %s
                      cluster, receiver on sender's node:  %s
                      cluster, receiver on another node:   %s
                    """.formatted(load0, load1, singleNode, sameNode, crossNode);
            System.out.println(report);
            Files.writeString(Path.of("target", "cluster-latency-" + topologyName() + ".txt"), report);
            assertThat(crossNode.count()).isPositive();
        } finally {
            single.close();
        }
    }

    /**
     * Six members: two senders and one receiver on {@code where[0]}, the other three receivers on
     * {@code where[1]} and {@code where[2]}. Each sender sends 25 msg/s for {@code seconds}.
     */
    private void runLoad(URI[] where, int seconds, Stats sameNode, Stats otherNode) throws Exception {
        TestClient s1 = user(where[0], false, false);
        TestClient s2 = user(where[0], false, false);
        TestClient r0 = user(where[0], false, false);
        TestClient r1 = user(where[1], false, false);
        TestClient r2 = user(where[2], false, false);
        TestClient r3 = user(where[1], false, false);
        List<TestClient> all = List.of(s1, s2, r0, r1, r2, r3);
        String c = s1.createGroup("latency", all.subList(1, all.size()));
        for (TestClient m : all) {
            m.follow(c);
            m.connect();
        }
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        long interval = 40_000_000L; // 25 msg/s per sender
        List<Thread> senders = new ArrayList<>();
        for (TestClient s : List.of(s1, s2)) {
            senders.add(Thread.ofPlatform().start(() -> {
                long next = System.nanoTime();
                for (int i = 0; i < seconds * 25; i++) {
                    long now;
                    while ((now = System.nanoTime()) < next) {
                        java.util.concurrent.locks.LockSupport.parkNanos(next - now);
                    }
                    next += interval;
                    long t0 = System.nanoTime();
                    CompletableFuture<Void> f = s.send(c, s.name + "-" + i, "lat " + i)
                            .thenAccept(seq -> sentAt.put(seq, t0));
                    synchronized (acks) {
                        acks.add(f);
                    }
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        for (CompletableFuture<Void> f : acks) {
            f.get(30, TimeUnit.SECONDS);
        }
        long n = 2L * seconds * 25;
        await().atMost(Duration.ofSeconds(30)).until(() -> all.stream().allMatch(m ->
                m.arrivedAt.getOrDefault(c, Map.of()).size() >= n));
        assertThat(failed).isFalse();
        if (sameNode != null) {
            record(r0, c, sentAt, sameNode);
        }
        Stats other = otherNode != null ? otherNode : sameNode;
        if (other != null) {
            for (TestClient r : List.of(r1, r2, r3)) {
                record(r, c, sentAt, other);
            }
        }
        all.forEach(TestClient::close);
    }

    private static void record(TestClient r, String c, Map<Long, Long> sentAt, Stats into) {
        for (Map.Entry<Long, Long> e : r.arrivedAt.get(c).entrySet()) {
            Long t0 = sentAt.get(e.getKey());
            if (t0 != null) {
                into.add((e.getValue() - t0) / 1e6);
            }
        }
    }

}
