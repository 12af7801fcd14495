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
 * Three real {@code parley.jar} nodes on one PostgreSQL schema and one Redis (own prefix), behind HAProxy.
 * The tests run in order on the same cluster; the last one kills a node. {@link ClusterOnJetStreamIT} runs the
 * same checks with the events on a NATS JetStream stream ({@link #busEnv}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private Path dir;
    private Backends.Schema schema;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private Haproxy haproxy;
    private URI lb;
    private final List<TestClient> clients = new ArrayList<>();
    private Map<String, String> env;
    private String prefix;
    private int users;

    @BeforeAll
    void startCluster() throws Exception {
        Haproxy.requireInstalled();
        dir = Files.createTempDirectory("parley-cluster-");
        prefix = Backends.freshRedisPrefix();
        schema = Backends.freshSchema();
        // The suite makes many users from one address, so the per-address sign-up limit is lifted.
        Map<String, String> e = new HashMap<>(Map.of("PARLEY_STORE_URL", schema.url(), "PARLEY_REDIS_URL",
                Backends.redisUrl(), "PARLEY_REDIS_PREFIX", prefix, "PARLEY_SEND_RATE", "0",
                "PARLEY_SIGNUPS_PER_HOUR", "0"));
        e.putAll(busEnv());
        env = Map.copyOf(e);
        // The first node migrates the schema alone; then the other two start together.
        nodes.add(ClusterNode.launch("n1", Files.createDirectories(dir.resolve("n1")), env));
        nodes.getFirst().awaitHealthy();
        for (String name : List.of("n2", "n3")) {
            nodes.add(ClusterNode.launch(name, Files.createDirectories(dir.resolve(name)), env));
        }
        for (ClusterNode n : nodes) {
            n.awaitHealthy();
        }
        haproxy = Haproxy.start(Files.createDirectories(dir.resolve("lb")), nodes);
        lb = URI.create("http://127.0.0.1:" + haproxy.port);
    }

    /** Extra environment of every node choosing the bus (none: events on Redis pub/sub). */
    protected Map<String, String> busEnv() throws Exception {
        return Map.of();
    }

    /** Names this run's report files ({@code target/cluster-<kind><suffix>.txt}). */
    protected String reportSuffix() {
        return "";
    }

    @AfterAll
    void stopCluster() throws Exception {
        clients.forEach(TestClient::close);
        if (haproxy != null) {
            haproxy.close();
        }
        for (ClusterNode n : nodes) {
            System.out.println("[cluster] log of " + n.name + ": " + n.log);
            n.close();
        }
        if (schema != null) {
            schema.close();
        }
        Backends.deleteTree(dir);
        if (prefix != null) {
            Backends.deleteRedisKeys(prefix);
        }
        stopBus();
    }

    /** Stops what {@link #busEnv} started, once the nodes are gone. */
    protected void stopBus() throws Exception {
    }

    private TestClient user(URI base, boolean reconnect, boolean syncOnGap) throws Exception {
        TestClient c = TestClient.signUp(base, "u" + (++users) + "x" + System.nanoTime() % 100000, reconnect,
                syncOnGap);
        clients.add(c);
        return c;
    }

    private URI node(int i) {
        return URI.create("http://127.0.0.1:" + nodes.get(i).port);
    }

    private static List<Long> oneTo(long n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }

    @Test
    @Order(1)
    void groupChatsAcrossNodesDeliverEveryMessageToEveryMemberOnceInOrder() throws Exception {
        List<TestClient> members = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            members.add(user(lb, false, false));
        }
        String big = members.getFirst().createGroup("all nine", members.subList(1, 9));
        String small = members.get(1).createGroup("five", List.of(members.get(3), members.get(5), members.get(7),
                members.get(8)));
        Set<TestClient> inSmall = Set.of(members.get(1), members.get(3), members.get(5), members.get(7),
                members.get(8));

        Map<String, Haproxy.ServerStat> before = haproxy.stats();
        for (TestClient m : members) {
            m.follow(big);
            if (inSmall.contains(m)) {
                m.follow(small);
            }
            m.connect();
        }
        Map<String, Haproxy.ServerStat> after = haproxy.stats();
        for (ClusterNode n : nodes) {
            assertThat(after.get(n.name).totalSessions() - before.get(n.name).totalSessions())
                    .as("WebSockets HAProxy sent to %s", n.name).isGreaterThanOrEqualTo(2);
        }

        List<CompletableFuture<Long>> acks = new ArrayList<>();
        int perMember = 15;
        for (int round = 0; round < perMember; round++) {
            for (TestClient m : members) {
                acks.add(m.send(big, m.name + "-big-" + round, "hello from " + m.name + " #" + round));
                if (inSmall.contains(m)) {
                    acks.add(m.send(small, m.name + "-small-" + round, "psst #" + round));
                }
            }
        }
        Set<Long> seqs = new HashSet<>();
        for (CompletableFuture<Long> a : acks) {
            seqs.add(a.get(30, TimeUnit.SECONDS));
        }
        long bigN = 9L * perMember;
        long smallN = 5L * perMember;
        assertThat(seqs).hasSize((int) bigN); // seqs 1..135 in the big group, 1..75 reused by the small one

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (TestClient m : members) {
                assertThat(m.arrivals.getOrDefault(big, List.of())).as("%s in the big group", m.name)
                        .hasSize((int) bigN);
                if (inSmall.contains(m)) {
                    assertThat(m.arrivals.getOrDefault(small, List.of())).as("%s in the small group", m.name)
                            .hasSize((int) smallN);
                }
            }
        });
        for (TestClient m : members) {
            assertThat(m.arrivals.get(big)).as("%s: every entry once, in order", m.name).isEqualTo(oneTo(bigN));
            if (inSmall.contains(m)) {
                assertThat(m.arrivals.get(small)).as("%s: every entry once, in order", m.name)
                        .isEqualTo(oneTo(smallN));
            } else {
                assertThat(m.arrivals.get(small)).as("%s is not in the small group", m.name).isNull();
            }
        }
        members.forEach(TestClient::close);
    }

    @Test
    @Order(2)
    void twoNodesAppendingToOneConversationConcurrentlyGetGapFreeUniqueSeqs() throws Exception {
        TestClient a = user(node(0), false, false);
        TestClient b = user(node(1), false, false);
        String c = a.createGroup("race", List.of(b));
        a.follow(c);
        b.follow(c);
        a.connect();
        b.connect();
        int each = 300;
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        Thread ta = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < each; i++) {
                synchronized (acks) {
                    acks.add(a.send(c, "a-" + i, "a" + i));
                }
            }
        });
        Thread tb = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < each; i++) {
                synchronized (acks) {
                    acks.add(b.send(c, "b-" + i, "b" + i));
                }
            }
        });
        ta.join();
        tb.join();
        List<Long> seqs = new ArrayList<>();
        for (CompletableFuture<Long> f : acks) {
            seqs.add(f.get(30, TimeUnit.SECONDS));
        }
        assertThat(seqs).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(oneTo(2L * each));
        assertThat(schema.queryLong("SELECT count(DISTINCT seq) FROM entries WHERE conversation_id = '" + c + "'"))
                .isEqualTo(2L * each);
        assertThat(schema.queryLong("SELECT max(seq) FROM entries WHERE conversation_id = '" + c + "'"))
                .isEqualTo(2L * each);
        assertThat(schema.queryLong("SELECT last_seq FROM conversations WHERE id = '" + c + "'")).isEqualTo(2L * each);
        // The log lives in hash partitions of entries (store.partitions, default 8).
        assertThat(schema.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'entries'::regclass"))
                .isEqualTo(8);
        // Both see the same log, live.
        await().atMost(Duration.ofSeconds(20)).until(() -> a.contiguous(c) == 2L * each && b.contiguous(c) == 2L * each);
        a.close();
        b.close();
    }

    /**
     * Not a check: measures delivery latency from send to arrival (both timed in this JVM) on a cluster,
     * receivers on the sender's node and on the other nodes, next to a single node (in-process bus) under the
     * same load, and prints the figures.
     */
    @Test
    @Order(3)
    void signingOutOnOneNodeClosesTheSessionsSocketsAndTokenOnTheOthers() throws Exception {
        TestClient x = user(node(1), false, false);
        x.connect();
        assertThat(x.status(node(2), "GET", "/v1/me")).isEqualTo(200); // node 3 now caches the token
        assertThat(x.status(node(0), "DELETE", "/v1/sessions/current")).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> x.closeCode == 4401);
        await().atMost(Duration.ofSeconds(10)).until(() -> x.status(node(2), "GET", "/v1/me") == 401);
    }

    @Test
    @Order(3)
    void aMemberRemovedThroughOneNodeIsRefusedAtOnceByTheOthers() throws Exception {
        TestClient a = user(node(0), false, false);
        TestClient b = user(node(0), false, false);
        String c = a.createGroup("leaving", List.of(b));
        String messages = "/v1/conversations/" + c + "/messages?after=0";
        // Node 3 caches the members while serving b (it has no socket in this conversation).
        assertThat(b.status(node(2), "GET", messages)).isEqualTo(200);
        assertThat(a.status(node(0), "DELETE", "/v1/conversations/" + c + "/members/" + b.userId)).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.status(node(2), "GET", messages) == 404);
    }

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
            Files.writeString(Path.of("target", "cluster-latency" + reportSuffix() + ".txt"), report);
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

    @Test
    @Order(5)
    void killingANodeUnderLoadLosesNothingAndItsClientsRecoverThroughTheBalancer() throws Exception {
        List<List<TestClient>> groups = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < 12; i++) {
            groups.get(i % 2).add(user(lb, true, true));
        }
        List<String> ids = new ArrayList<>();
        for (List<TestClient> g : groups) {
            String c = g.getFirst().createGroup("survivors", g.subList(1, g.size()));
            ids.add(c);
            for (TestClient m : g) {
                m.follow(c);
            }
        }
        for (TestClient m : TestClient.all(groups)) {
            m.connect();
        }
        Map<String, Haproxy.ServerStat> stats = haproxy.stats();
        assertThat(stats.get("n3").currentSessions()).as("sockets on n3").isPositive();

        AtomicBoolean sending = new AtomicBoolean(true);
        Map<String, Set<String>> sent = new ConcurrentHashMap<>();
        List<Thread> senders = new ArrayList<>();
        for (int gi = 0; gi < 2; gi++) {
            String c = ids.get(gi);
            for (TestClient m : groups.get(gi)) {
                senders.add(Thread.ofVirtual().start(() -> {
                    int i = 0;
                    while (sending.get()) {
                        String cmid = m.name + "-" + (i++);
                        sent.computeIfAbsent(c, k -> ConcurrentHashMap.newKeySet()).add(cmid);
                        m.send(c, cmid, "load " + cmid);
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
        }
        Thread.sleep(2_000);
        long killedAt = System.nanoTime();
        nodes.get(2).kill();
        Thread.sleep(3_000);
        sending.set(false);
        for (Thread t : senders) {
            t.join();
        }

        List<TestClient> everyone = TestClient.all(groups);
        await().atMost(Duration.ofSeconds(30)).until(() -> everyone.stream().allMatch(m -> m.outboxSize() == 0));
        List<TestClient> moved = everyone.stream().filter(m -> m.disconnects.get() > 0).toList();
        assertThat(moved).as("clients that were on the killed node").isNotEmpty();
        List<Long> recoveries = new ArrayList<>();
        for (TestClient m : moved) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !m.recoveryMs.isEmpty());
            recoveries.addAll(m.recoveryMs);
        }
        for (int gi = 0; gi < 2; gi++) {
            String c = ids.get(gi);
            long last = schema.queryLong("SELECT last_seq FROM conversations WHERE id = '" + c + "'");
            assertThat(last).isEqualTo(sent.get(c).size());
            assertThat(schema.queryLong("SELECT count(DISTINCT client_msg_id) FROM entries WHERE conversation_id = '"
                    + c + "'")).as("each message stored once").isEqualTo(last);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (TestClient m : groups.get(ids.indexOf(c))) {
                    assertThat(m.contiguous(c)).as("%s holds everything", m.name).isEqualTo(last);
                }
            });
            for (TestClient m : groups.get(gi)) {
                Set<String> held = new HashSet<>();
                for (JsonNode e : m.entries(c).values()) {
                    if (e.hasNonNull("clientMsgId")) {
                        assertThat(held.add(e.get("clientMsgId").asText())).as("none twice").isTrue();
                    }
                }
                assertThat(held).as("%s has every acked message", m.name).isEqualTo(sent.get(c));
            }
        }
        long max = recoveries.stream().mapToLong(Long::longValue).max().orElseThrow();
        String report = String.format("[cluster] node kill: %d of %d clients lost their node; reconnect through"
                        + " HAProxy took %s ms (max %d ms); load ran %.1f s after the kill%n", moved.size(),
                everyone.size(), recoveries, max, (System.nanoTime() - killedAt) / 1e9);
        System.out.print(report);
        Files.writeString(Path.of("target", "cluster-failover" + reportSuffix() + ".txt"), report);
        assertThat(max).as("recovery time (issue: within 5 s)").isLessThan(5_000);
    }
}
