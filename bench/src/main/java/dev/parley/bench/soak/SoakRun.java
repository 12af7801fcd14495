package dev.parley.bench.soak;

import dev.parley.bench.measure.ProcStats;
import dev.parley.bench.report.Percentiles;
import dev.parley.protocol.ConversationKind;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * {@code bench soak}: steady chat load on a cluster while clients drop and reconnect, one node is killed
 * with SIGKILL and started again, and Redis is killed and started again (empty). At the end every client
 * catches up by {@code sync}, and the run checks that every acknowledged message is held by every member
 * of its conversation exactly once, at the seq it was acknowledged with, in views without gaps.
 */
public final class SoakRun {
    private static final String GROUP = ConversationKind.GROUP.wire();
    private static final String DIRECT = ConversationKind.DIRECT.wire();

    /**
     * @param users           chat users (one device and one socket each)
     * @param groupSize       members per group conversation; every user is also in two direct conversations
     * @param rate            messages per second in all
     * @param disconnectEvery how often a random client loses its socket (offline 0.2–3 s)
     * @param killAt          when (fraction of the duration) a node is killed with SIGKILL
     * @param nodeDown        how long it stays down before it is started again
     * @param redisAt         when (fraction of the duration) Redis is killed
     * @param redisDown       how long Redis stays down
     * @param drain           how long to wait for the last acknowledgements and catch-ups
     */
    public record Options(int users, int groupSize, double rate, Duration duration, Duration disconnectEvery,
                          double killAt, Duration nodeDown, double redisAt, Duration redisDown, Duration drain, long seed) {
        public Options {
            if (users < 2 || users > 2000 || groupSize < 2 || groupSize > users) {
                throw new IllegalArgumentException("users must be 2..2000 and group size 2..users");
            }
            if (rate <= 0 || rate > 5000 || duration.toSeconds() < 5 || duration.toHours() > 24) {
                throw new IllegalArgumentException("rate must be in (0, 5000] and duration 5 s .. 24 h");
            }
            if (killAt < 0 || killAt > 1 || redisAt < 0 || redisAt > 1) {
                throw new IllegalArgumentException("killAt and redisAt are fractions of the duration (0..1)");
            }
        }
    }

    private final Cluster cluster;
    private final PrintStream out;
    private final Accounts accounts = new Accounts();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> load = new CopyOnWriteArrayList<>();
    private long t0;

    public SoakRun(Cluster cluster, PrintStream out) {
        this.cluster = cluster;
        this.out = out;
    }

    public SoakReport run(Options o) throws Exception {
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Random random = new Random(o.seed());
        Ledger ledger = new Ledger();
        Supplier<URI> entry = cluster.entry();
        out.printf("soak: %s%nsoak: signing up %d users%n", cluster.describe(), o.users());
        List<SoakClient> clients = signUp(o, entry, ledger);
        Map<String, List<SoakClient>> members = new LinkedHashMap<>();
        int groups = 0;
        for (int g = 0; g + o.groupSize() <= o.users(); g += o.groupSize()) {
            List<SoakClient> in = clients.subList(g, g + o.groupSize());
            String id = conversation(entry.get(), in.getFirst(), Map.of("kind", GROUP, "title", "soak " + g,
                    "members", in.subList(1, in.size()).stream().map(c -> c.userId).toList()));
            members.put(id, List.copyOf(in));
            groups++;
        }
        int directs = 0;
        for (int i = 0; i < o.users(); i++) {
            SoakClient a = clients.get(i);
            SoakClient b = clients.get((i + 1) % o.users());
            String id = conversation(entry.get(), a, Map.of("kind", DIRECT, "members", List.of(b.userId)));
            if (!members.containsKey(id)) {
                members.put(id, List.of(a, b));
                directs++;
            }
        }
        members.forEach((id, in) -> in.forEach(c -> c.follow(id)));
        try {
            clients.forEach(c -> c.connectSoon(0));
            awaitAll(clients, Duration.ofSeconds(120), "connect");
            return load(o, random, ledger, clients, members, groups, directs, startedAt);
        } finally {
            clients.forEach(SoakClient::close);
        }
    }

    private SoakReport load(Options o, Random random, Ledger ledger, List<SoakClient> clients,
                            Map<String, List<SoakClient>> members, int groups, int directs, String startedAt)
            throws Exception {
        t0 = System.nanoTime();
        long end = t0 + o.duration().toNanos();
        load.add("start " + ProcStats.loadAverage());
        Thread timer = Thread.ofVirtual().name("soak-timer").start(() -> {
            long lastLoad = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                clients.forEach(SoakClient::tick);
                if (System.nanoTime() - lastLoad > 60_000_000_000L) {
                    lastLoad = System.nanoTime();
                    load.add(String.format(Locale.ROOT, "t=%.0fs %s", elapsed(), ProcStats.loadAverage()));
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Thread chaos = Thread.ofVirtual().name("soak-chaos").start(() -> {
            try {
                chaos(o, end);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread drops = Thread.ofVirtual().name("soak-drops").start(() -> {
            Random r = new Random(o.seed() + 1);
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(o.disconnectEvery().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                clients.get(r.nextInt(clients.size())).drop(200 + r.nextInt(2_800));
            }
        });

        List<String> conversationIds = new ArrayList<>(members.keySet());
        long interval = (long) (1e9 / o.rate());
        long maxMessages = (long) (o.rate() * o.duration().toSeconds() * 1.2) + 10;
        long next = t0;
        long count = 0;
        long lastPrint = t0;
        while (System.nanoTime() < end && count < maxMessages) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String c = conversationIds.get(random.nextInt(conversationIds.size()));
            List<SoakClient> in = members.get(c);
            in.get(random.nextInt(in.size())).send(c);
            count++;
            next += interval;
            if (System.nanoTime() - lastPrint > 30_000_000_000L) {
                lastPrint = System.nanoTime();
                out.printf(Locale.ROOT, "soak: %5.0f s  sent %,d  acked %,d  outboxes %d  connected %d/%d  load %s%n",
                        elapsed(), ledger.sends.get(), ledger.acked.size(), clients.stream().mapToInt(SoakClient::outboxSize)
                                .sum(), clients.stream().filter(SoakClient::connected).count(), clients.size(), ProcStats.loadAverage());
            }
        }
        double sendingSeconds = elapsed();
        drops.interrupt();
        drops.join();
        chaos.join(); // a restart under way finishes first
        out.printf(Locale.ROOT, "soak: sending stopped after %.0f s; draining outboxes%n", sendingSeconds);
        long drainEnd = System.nanoTime() + o.drain().toNanos();
        while (System.nanoTime() < drainEnd && clients.stream().anyMatch(c -> c.outboxSize() > 0 || !c.connected())) {
            Thread.sleep(250);
        }
        // Every client catches up on every conversation from what it holds.
        for (SoakClient c : clients) {
            for (String conv : c.conversations) {
                finalCatchUp(c, conv, drainEnd);
            }
        }
        timer.interrupt();
        load.add(String.format(Locale.ROOT, "end t=%.0fs %s", elapsed(), ProcStats.loadAverage()));
        Map<String, Double> rss = new TreeMap<>();
        for (Node n : cluster.nodes()) {
            long b = ProcStats.rssBytes(n.pid());
            rss.put(n.name(), b < 0 ? null : Math.round(b / 104857.6) / 10.0);
        }
        Map<String, Long> logErrors = new TreeMap<>();
        for (Node n : cluster.nodes()) {
            if (n.log() != null && Files.isRegularFile(n.log())) {
                try (var lines = Files.lines(n.log(), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    logErrors.put(n.name(), lines.filter(l -> l.matches("^\\S+ ERROR .*")).count());
                }
            }
        }
        return verify(o, ledger, clients, members, groups, directs, startedAt, sendingSeconds, rss, logErrors);
    }

    private void finalCatchUp(SoakClient c, String conv, long deadline) throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                if (c.connected()) {
                    c.catchUp(conv);
                    return;
                }
            } catch (Exception e) {
                // reconnecting; try again
            }
            Thread.sleep(500);
            if (System.nanoTime() > deadline + 60_000_000_000L) {
                break;
            }
        }
        events.add("final catch-up of " + conv + " by " + c.name + " did not complete");
    }

    /** The node crash and the Redis outage, each on its own thread so that a slow restart delays neither. */
    private void chaos(Options o, long end) throws InterruptedException {
        Node victim = cluster.nodes().get(cluster.nodes().size() > 1 ? 1 : 0);
        Thread crash = Thread.ofVirtual().name("soak-crash").start(() -> at(o.killAt(), o, end, () -> {
            victim.kill();
            events.add(String.format(Locale.ROOT, "t=%.0fs node %s killed with SIGKILL", elapsed(), victim.name()));
            Thread.sleep(o.nodeDown().toMillis());
            long s = System.nanoTime();
            victim.restart();
            events.add(String.format(Locale.ROOT, "t=%.0fs node %s started again (healthy after %.1f s)", elapsed(),
                    victim.name(), (System.nanoTime() - s) / 1e9));
        }));
        Thread outage = Thread.ofVirtual().name("soak-redis").start(() -> at(o.redisAt(), o, end, () -> {
            cluster.redis().kill();
            events.add(String.format(Locale.ROOT, "t=%.0fs Redis killed with SIGKILL", elapsed()));
            Thread.sleep(o.redisDown().toMillis());
            cluster.redis().start();
            events.add(String.format(Locale.ROOT, "t=%.0fs Redis started again (empty)", elapsed()));
        }));
        crash.join();
        outage.join();
    }

    private interface Action {
        void run() throws Exception;
    }

    private void at(double fraction, Options o, long end, Action action) {
        try {
            long wait = t0 + (long) (o.duration().toNanos() * fraction) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            if (System.nanoTime() < end) {
                action.run();
            }
        } catch (Exception e) {
            events.add("chaos step failed: " + e);
        }
    }

    private SoakReport verify(Options o, Ledger ledger, List<SoakClient> clients, Map<String, List<SoakClient>> members,
                              int groups, int directs, String startedAt, double sendingSeconds,
                              Map<String, Double> rss, Map<String, Long> logErrors) {
        long stored = 0;
        long views = 0;
        long expected = 0;
        long gaps = 0;
        long duplicates = 0;
        long inconsistent = 0;
        long storedNotAcked = 0;
        List<String> examples = new ArrayList<>();
        for (var e : members.entrySet()) {
            String conv = e.getKey();
            long last = 0;
            for (SoakClient m : e.getValue()) {
                NavigableMap<Long, SoakClient.Held> h = m.held(conv);
                last = Math.max(last, h.isEmpty() ? 0 : h.lastKey());
            }
            stored += last;
            for (SoakClient m : e.getValue()) {
                views++;
                expected += last;
                NavigableMap<Long, SoakClient.Held> h = m.held(conv);
                long missing = last - h.headMap(last, true).size();
                if (missing > 0 && examples.size() < 10) {
                    examples.add(m.name + " lacks " + missing + " of seqs 1.." + last + " in " + conv);
                }
                gaps += missing;
            }
            // One reference view per seq: every member must hold the very same entry there.
            Map<String, List<Long>> seqsByMessage = new HashMap<>();
            for (long seq = 1; seq <= last; seq++) {
                SoakClient.Held ref = null;
                for (SoakClient m : e.getValue()) {
                    SoakClient.Held x = m.held(conv).get(seq);
                    if (x == null) {
                        continue;
                    }
                    if (ref == null) {
                        ref = x;
                    } else if (!ref.messageId().equals(x.messageId())) {
                        inconsistent++;
                        if (examples.size() < 10) {
                            examples.add(m.name + " holds " + x + " at " + conv + "#" + seq + ", others " + ref);
                        }
                    }
                }
                if (ref != null && ref.clientMsgId() != null) {
                    seqsByMessage.computeIfAbsent(ref.clientMsgId(), k -> new ArrayList<>()).add(seq);
                    if (!ledger.acked.containsKey(ref.clientMsgId())) {
                        storedNotAcked++;
                    }
                }
            }
            for (var s : seqsByMessage.entrySet()) {
                if (s.getValue().size() > 1) {
                    duplicates += s.getValue().size() - 1;
                    if (examples.size() < 10) {
                        examples.add(s.getKey() + " stored at seqs " + s.getValue() + " of " + conv);
                    }
                }
            }
        }
        long lost = 0;
        for (var a : ledger.acked.entrySet()) {
            for (SoakClient m : members.getOrDefault(a.getValue().conversationId(), List.of())) {
                SoakClient.Held x = m.held(a.getValue().conversationId()).get(a.getValue().seq());
                if (x == null || !a.getKey().equals(x.clientMsgId())) {
                    lost++;
                    if (examples.size() < 10) {
                        examples.add(m.name + " lacks acked " + a.getKey() + " at " + a.getValue() + " (holds " + x + ")");
                    }
                }
            }
        }
        Map<String, Long> errors = new TreeMap<>();
        ledger.errors.forEach((k, v) -> errors.put(k, v.sum()));
        return new SoakReport(cluster.describe(), o.seed(), startedAt, o.duration().toSeconds(),
                Math.round(sendingSeconds * 10) / 10.0, o.users(), groups, directs, o.rate(), List.copyOf(events),
                ledger.sends.get(), ledger.acked.size(), clients.stream().mapToLong(SoakClient::outboxSize).sum(), stored,
                views, expected, lost, gaps, duplicates, inconsistent, ledger.ackConflicts.sum(), storedNotAcked,
                sum(clients, c -> c.redeliveries.get()), sum(clients, c -> c.forcedDrops.get()),
                sum(clients, c -> c.lostByServer.get()), sum(clients, c -> c.deadSockets.get()),
                sum(clients, c -> c.welcomes.get()), sum(clients, c -> c.resends.get()),
                Percentiles.of(ledger.ackLatency.getIntervalHistogram()),
                Percentiles.of(ledger.deliveryLatency.getIntervalHistogram()), errors, rss, logErrors, List.copyOf(load),
                Collections.unmodifiableList(examples));
    }

    private static long sum(List<SoakClient> clients, java.util.function.ToLongFunction<SoakClient> f) {
        return clients.stream().mapToLong(f).sum();
    }

    private double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void awaitAll(List<SoakClient> clients, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!clients.stream().allMatch(SoakClient::connected)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("not every client could " + what + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    // ---- setup over HTTP -------------------------------------------------------------------------

    private List<SoakClient> signUp(Options o, Supplier<URI> entry, Ledger ledger) throws Exception {
        String prefix = "sk" + Long.toString(System.nanoTime() & 0xffffffL, 36);
        List<SoakClient> clients = new ArrayList<>();
        for (int i = 0; i < o.users(); i++) {
            clients.add(accounts.signUp(entry.get(), prefix + "u" + i, entry, ledger));
        }
        return clients;
    }

    private String conversation(URI base, SoakClient owner, Map<String, Object> body) throws Exception {
        return accounts.conversation(base, owner, body);
    }
}
