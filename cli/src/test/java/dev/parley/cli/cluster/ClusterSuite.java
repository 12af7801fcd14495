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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The checks every cluster topology must pass, on real {@code parley.jar} nodes sharing one PostgreSQL schema and
 * one Redis (own prefix), behind HAProxy: every member gets every message once and in order across nodes,
 * concurrent appends through two nodes get gap-free {@code seq}s, sign-out and member removal reach every node,
 * pushes and webhooks are delivered by a worker, and a gateway killed under load loses nothing. The tests run in
 * order on the same cluster; the last one kills a node. {@link ClusterIT} runs them on identical all-in-one
 * nodes, {@link SplitClusterIT} on role-split nodes. Tagged {@code serial}: the cli module's failsafe runs them in
 * an execution of their own, one at a time, with nothing else beside them (cli/pom.xml).
 */
@Tag("serial")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ClusterSuite {
    static final String ADMIN_TOKEN = "cluster-admin-token-0123456789abcdef";
    Path dir;
    Backends.Schema schema;
    final List<ClusterNode> nodes = new ArrayList<>();
    Haproxy haproxy;
    URI lb;
    Sink sink;
    private final List<TestClient> clients = new ArrayList<>();
    Map<String, String> env;
    private String prefix;
    private int users;
    private long startedNanos;

    /** Starts the nodes (the first one alone: it migrates the schema) and HAProxy in front of them. */
    abstract void startTopology() throws Exception;

    /** A short name for reports. */
    abstract String topologyName();

    /** Nodes that hold sockets. */
    abstract List<ClusterNode> gateways();

    abstract boolean isWorker(ClusterNode node);

    /** The gateway killed under load. */
    abstract ClusterNode victim();

    /** The {@code i}-th node serving the HTTP API (several different ones where there are several). */
    abstract URI http(int i);

    /** The {@code i}-th gateway (several different ones where there are several). */
    abstract URI ws(int i);

    @BeforeAll
    void startCluster() throws Exception {
        Haproxy.requireInstalled();
        startedNanos = System.nanoTime();
        dir = Files.createTempDirectory("parley-cluster-");
        prefix = Backends.freshRedisPrefix();
        schema = Backends.freshSchema();
        sink = new Sink();
        // The suite makes many users from one address, so the per-address sign-up limit is lifted.
        env = new HashMap<>(Map.of("PARLEY_STORE_URL", schema.url(), "PARLEY_REDIS_URL", Backends.redisUrl(),
                "PARLEY_REDIS_PREFIX", prefix, "PARLEY_SEND_RATE", "0", "PARLEY_SIGNUPS_PER_HOUR", "0",
                "PARLEY_ADMIN_TOKEN", ADMIN_TOKEN, "PARLEY_OUTBOUND_ALLOWED_HOSTS", sink.hostPort()));
        env.putAll(busEnv());
        startTopology();
        lb = URI.create("http://127.0.0.1:" + haproxy.port);
    }

    ClusterNode launch(String name, Map<String, String> extra) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.putAll(extra);
        ClusterNode n = ClusterNode.launch(name, Files.createDirectories(dir.resolve(name)), e);
        nodes.add(n);
        return n;
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
        if (sink != null) {
            sink.close();
        }
        if (schema != null) {
            schema.close();
        }
        Backends.deleteTree(dir);
        if (prefix != null) {
            Backends.deleteRedisKeys(prefix);
        }
        stopBus();
        System.out.printf("[cluster] %s suite: %.1f s from start to stop%n", topologyName(),
                (System.nanoTime() - startedNanos) / 1e9);
    }

    /** Extra environment of every node choosing the bus (none: events on Redis pub/sub). */
    protected Map<String, String> busEnv() throws Exception {
        return Map.of();
    }

    /** Stops what {@link #busEnv} started, once the nodes are gone. */
    protected void stopBus() throws Exception {
    }

    TestClient user(URI base, boolean reconnect, boolean syncOnGap) throws Exception {
        return user(base, base, reconnect, syncOnGap);
    }

    TestClient user(URI httpBase, URI wsBase, boolean reconnect, boolean syncOnGap) throws Exception {
        TestClient c = TestClient.signUp(httpBase, wsBase, "u" + (++users) + "x" + System.nanoTime() % 100000,
                reconnect, syncOnGap);
        clients.add(c);
        return c;
    }

    URI node(int i) {
        return URI.create("http://127.0.0.1:" + nodes.get(i).port);
    }

    static List<Long> oneTo(long n) {
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
        for (ClusterNode n : gateways()) {
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
        TestClient a = user(http(0), ws(0), false, false);
        TestClient b = user(http(1), ws(1), false, false);
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

    @Test
    @Order(3)
    void signingOutOnOneNodeClosesTheSessionsSocketsAndTokenOnTheOthers() throws Exception {
        TestClient x = user(http(1), ws(1), false, false);
        x.connect();
        assertThat(x.status(http(2), "GET", "/v1/me")).isEqualTo(200); // that node now caches the token
        assertThat(x.status(http(0), "DELETE", "/v1/sessions/current")).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> x.closeCode == 4401);
        await().atMost(Duration.ofSeconds(10)).until(() -> x.status(http(2), "GET", "/v1/me") == 401);
    }

    @Test
    @Order(3)
    void aMemberRemovedThroughOneNodeIsRefusedAtOnceByTheOthers() throws Exception {
        TestClient a = user(http(0), ws(0), false, false);
        TestClient b = user(http(0), ws(0), false, false);
        String c = a.createGroup("leaving", List.of(b));
        String messages = "/v1/conversations/" + c + "/messages?after=0";
        // Another API node caches the members while serving b (it has no socket in this conversation).
        assertThat(b.status(http(2), "GET", messages)).isEqualTo(200);
        assertThat(a.status(http(0), "DELETE", "/v1/conversations/" + c + "/members/" + b.userId)).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.status(http(2), "GET", messages) == 404);
    }

    @Test
    @Order(4)
    void pushesAndWebhooksDecidedOnAnyNodeAreDeliveredByAWorker() throws Exception {
        TestClient alice = user(lb, false, false);
        TestClient bob = user(lb, false, false);
        String c = alice.createGroup("outbound", List.of(bob));
        String hookSecret = "cluster-hook-secret-0123456789";
        TestClient.http(lb, "POST", "/v1/admin/webhooks", ADMIN_TOKEN, Map.of("url", sink.url("/hook"),
                "secret", hookSecret, "events", List.of("message.created")));
        // Bob is offline with a Web Push subscription: Alice's messages are pushed to him.
        TestClient.http(lb, "POST", "/v1/push/subscriptions", bob.token(), sink.subscription(bob.name));
        alice.follow(c);
        alice.connect();
        int n = 3;
        for (int i = 0; i < n; i++) {
            alice.send(c, "out-" + i, "outbound " + i).get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(sink.hooks.stream().filter(h -> h.body().contains(c)).count()).as("webhooks").isEqualTo(n);
            assertThat(sink.pushes.stream().filter(p -> p.path().endsWith("/" + bob.name)).count()).as("pushes")
                    .isPositive();
        });
        // Only workers deliver: every other node's delivery counters stay empty.
        for (ClusterNode node : nodes) {
            String metrics = TestClient.text(URI.create("http://127.0.0.1:" + node.port + "/metrics"));
            double hooks = sum(metrics, "parley_webhook_deliveries_total");
            double pushes = sum(metrics, "parley_push_outcomes_total");
            if (!isWorker(node)) {
                assertThat(hooks + pushes).as("deliveries by %s, which is not a worker", node.name).isZero();
            }
        }
        double byWorkers = 0;
        for (ClusterNode node : nodes) {
            if (isWorker(node)) {
                String metrics = TestClient.text(URI.create("http://127.0.0.1:" + node.port + "/metrics"));
                byWorkers += sum(metrics, "parley_webhook_deliveries_total");
            }
        }
        assertThat(byWorkers).as("webhook deliveries counted by the workers").isGreaterThanOrEqualTo(n);
        alice.close();
    }

    /** The sum of every sample of a counter in a Prometheus exposition (0 when absent). */
    private static double sum(String exposition, String name) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
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
        ClusterNode victim = victim();
        assertThat(stats.get(victim.name).currentSessions()).as("sockets on %s", victim.name).isPositive();

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
        victim.kill();
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
        System.out.print("[" + topologyName() + "] " + report);
        Files.writeString(Path.of("target", "cluster-failover-" + topologyName() + ".txt"), report);
        assertThat(max).as("recovery time (issue: within 5 s)").isLessThan(5_000);
    }
}
