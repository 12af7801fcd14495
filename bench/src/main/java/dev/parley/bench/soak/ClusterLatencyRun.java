package dev.parley.bench.soak;

import dev.parley.bench.measure.ProcStats;
import dev.parley.bench.report.Percentiles;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code bench cluster-latency}: send-to-delivery latency on a cluster, for receivers on the sender's node and on
 * the other nodes, next to a single node (in-process bus) under the same load. One group of six per setup: two
 * senders and one receiver on the first node, the three other receivers on the second and third nodes (all six
 * on the single node). Latency is the arrival of the live {@code message} at a receiver minus the moment the
 * sender wrote the {@code send}, both {@code System.nanoTime()} in this JVM. Each setup is warmed up, then the two
 * setups alternate round by round, so that machine noise hits both alike.
 */
public final class ClusterLatencyRun {

    /**
     * @param rate   messages per second of each of the two senders
     * @param warmup load on each setup before anything is recorded
     * @param round  length of one measured round; the setups alternate for {@code rounds} rounds each
     */
    public record Options(double rate, Duration warmup, Duration round, int rounds) {
        public Options {
            if (rate <= 0 || rate > 1000) {
                throw new IllegalArgumentException("rate must be in (0, 1000] messages/s per sender");
            }
            if (warmup.isNegative() || warmup.toMinutes() > 10 || round.toMillis() < 500 || round.toMinutes() > 60) {
                throw new IllegalArgumentException("warm-up must be 0 .. 10 min and a round 0.5 s .. 60 min");
            }
            if (rounds < 1 || rounds > 100) {
                throw new IllegalArgumentException("rounds must be 1..100");
            }
        }
    }

    private static final Duration DELIVERED_WITHIN = Duration.ofSeconds(60);
    private final Accounts accounts = new Accounts();
    private final PrintStream out;

    public ClusterLatencyRun(PrintStream out) {
        this.out = out;
    }

    /** One group of six, its clients connected, and where each receiver's latencies go. */
    private final class Setup implements AutoCloseable {
        final Ledger senders = new Ledger();
        final Ledger sameNode;
        final Ledger otherNode;
        final List<SoakClient> sending = new ArrayList<>();
        final List<SoakClient> receiving = new ArrayList<>();
        final String conversation;
        final Histogram same = new Histogram(3);
        final Histogram other = new Histogram(3);

        /** @param where the first node (senders and one receiver), then the nodes of the other receivers */
        Setup(String label, URI[] where, boolean oneLedger) throws Exception {
            sameNode = new Ledger();
            otherNode = oneLedger ? sameNode : new Ledger();
            String prefix = "cl" + label + Long.toString(System.nanoTime() & 0xffffffL, 36);
            try {
                for (int i = 0; i < 2; i++) {
                    sending.add(client(where[0], prefix + "s" + i, senders));
                }
                receiving.add(client(where[0], prefix + "r0", sameNode));
                receiving.add(client(where[1], prefix + "r1", otherNode));
                receiving.add(client(where[2], prefix + "r2", otherNode));
                receiving.add(client(where[1], prefix + "r3", otherNode));
                List<SoakClient> others = new ArrayList<>(sending.subList(1, 2));
                others.addAll(receiving);
                conversation = accounts.conversation(where[0], sending.getFirst(), Map.of("kind", dev.parley.protocol.ConversationKind.GROUP.wire(),
                        "title", "latency " + label, "members", others.stream().map(c -> c.userId).toList()));
                for (SoakClient c : all()) {
                    c.follow(conversation);
                    c.connectSoon(0);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!all().stream().allMatch(SoakClient::connected)) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the clients of " + label + " could not connect within 60 s");
                    }
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        private SoakClient client(URI node, String handle, Ledger ledger) throws Exception {
            return accounts.signUp(node, handle, () -> node, ledger);
        }

        List<SoakClient> all() {
            List<SoakClient> all = new ArrayList<>(sending);
            all.addAll(receiving);
            return all;
        }

        /** Both senders at {@code rate} for {@code length}; returns once every receiver holds every message. */
        void load(double rate, Duration length, boolean record) throws Exception {
            long each = Math.max(1, Math.round(rate * length.toNanos() / 1e9));
            long interval = (long) (1e9 / rate);
            List<Thread> threads = new ArrayList<>();
            for (SoakClient s : sending) {
                threads.add(Thread.ofPlatform().name("latency-" + s.name).start(() -> {
                    long next = System.nanoTime();
                    for (long i = 0; i < each; i++) {
                        long now;
                        while ((now = System.nanoTime()) < next) {
                            LockSupport.parkNanos(next - now);
                        }
                        next += interval;
                        s.send(conversation);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            long deadline = System.nanoTime() + DELIVERED_WITHIN.toNanos();
            while (sending.stream().anyMatch(s -> s.outboxSize() > 0)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("sends not acknowledged within " + DELIVERED_WITHIN.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
            long last = senders.acked.values().stream().mapToLong(Ledger.Acked::seq).max().orElse(0);
            while (!receiving.stream().allMatch(r -> r.contiguous(conversation) >= last)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("not every receiver held every message within "
                            + DELIVERED_WITHIN.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
            Histogram s = sameNode.deliveryLatency.getIntervalHistogram();
            Histogram o = otherNode == sameNode ? null : otherNode.deliveryLatency.getIntervalHistogram();
            if (record) {
                same.add(s);
                if (o != null) {
                    other.add(o);
                }
            }
        }

        void tick() {
            all().forEach(SoakClient::tick);
        }

        long sends() {
            return senders.sends.get();
        }

        long acked() {
            return senders.acked.size();
        }

        @Override
        public void close() {
            all().forEach(SoakClient::close);
        }
    }

    /**
     * @param cluster the cluster's nodes (at least two; the receivers go to the second and third, wrapping around)
     * @param single  a single node with the in-process bus
     */
    public ClusterLatencyReport run(List<URI> cluster, String clusterDescription, URI single,
                                    String singleDescription, Options o) throws Exception {
        if (cluster.size() < 2) {
            throw new IllegalArgumentException("the cluster needs at least two nodes");
        }
        URI[] spread = {cluster.get(0), cluster.get(1), cluster.get(2 % cluster.size())};
        URI[] alone = {single, single, single};
        try (Setup one = new Setup("single", alone, true); Setup many = new Setup("cluster", spread, false)) {
            Thread timer = Thread.ofVirtual().name("latency-timer").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    one.tick();
                    many.tick();
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                out.printf("cluster-latency: warming up each setup for %d s%n", o.warmup().toSeconds());
                if (!o.warmup().isZero()) {
                    one.load(o.rate(), o.warmup(), false);
                    many.load(o.rate(), o.warmup(), false);
                }
                String load0 = ProcStats.loadAverage();
                for (int r = 1; r <= o.rounds(); r++) {
                    out.printf("cluster-latency: round %d of %d%n", r, o.rounds());
                    one.load(o.rate(), o.round(), true);
                    many.load(o.rate(), o.round(), true);
                }
                String load1 = ProcStats.loadAverage();
                return new ClusterLatencyReport(clusterDescription, singleDescription, o.rate(),
                        o.warmup().toMillis() / 1e3, o.round().toMillis() / 1e3, o.rounds(), load0, load1,
                        one.sends() + many.sends(), one.acked() + many.acked(), Percentiles.of(one.same),
                        Percentiles.of(many.same), Percentiles.of(many.other));
            } finally {
                timer.interrupt();
            }
        }
    }
}
