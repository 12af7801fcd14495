package dev.parley.bench.load;

import dev.parley.bench.driver.ClientSpec;
import dev.parley.bench.driver.DriverConnection;
import dev.parley.bench.driver.Driver;
import dev.parley.bench.driver.Listener;
import dev.parley.bench.driver.Topology;
import dev.parley.bench.measure.ProcStats;
import dev.parley.bench.measure.Sampler;
import dev.parley.bench.report.Percentiles;
import dev.parley.bench.report.Report;
import dev.parley.bench.target.Target;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Reconnect storm: {@code clients} connections go away, {@code messages} messages arrive in each of their
 * conversations, then all reconnect at once and catch up (Parley: {@code sync} from their last
 * {@code seq}; MQTT: persistent sessions replayed by the broker). Measures the time until the last
 * client holds every message it missed.
 */
public final class StormRun {
    private final Target target;
    private final Vertx vertx;
    private final PrintStream log;

    /**
     * @param rounds      storms in a row against the same server; the report is the last one's (earlier rounds
     *                    warm the server's catch-up path, as a server that has served one has it)
     * @param clients     connections that disconnect and come back
     * @param users       distinct users (tokens) the clients use, round robin; 10 per conversation
     * @param messages    messages each conversation receives while they are away
     * @param concurrency reconnect handshakes in flight at once
     * @param perAddress  connections per source address (127.0.0.2 …)
     * @param timeout     give up waiting for the catch-up after this long
     */
    public record Options(int clients, int users, int messages, int payloadBytes, int concurrency, int perAddress,
                          Duration timeout, int rounds) {
        public Options {
            if (clients < 1 || users < 1 || messages < 1 || concurrency < 1 || perAddress < 1 || rounds < 1) {
                throw new IllegalArgumentException(
                        "clients, users, messages, concurrency, per-address, rounds must be ≥ 1");
            }
        }

        public Options(int clients, int users, int messages, int payloadBytes, int concurrency, int perAddress,
                       Duration timeout) {
            this(clients, users, messages, payloadBytes, concurrency, perAddress, timeout, 1);
        }
    }

    public StormRun(Target target, Vertx vertx, PrintStream log) {
        this.target = target;
        this.vertx = vertx;
        this.log = log;
    }

    /** Counts one client's catch-up; confined to its connection's event loop. */
    private static final class Client implements Listener {
        final int group;
        final int sendersPerGroup;
        final int messages;
        /** Counters of this round are base + 1 … base + messages. */
        final long base;
        final BitSet seen = new BitSet();
        final CountDownLatch done;
        final Recorder times;
        final LongAdder duplicates;
        volatile long startNanos;
        volatile boolean complete;
        long markers;

        Client(int group, int messages, long base, CountDownLatch done, Recorder times, LongAdder duplicates) {
            this.group = group;
            this.sendersPerGroup = 1;
            this.messages = messages;
            this.base = base;
            this.done = done;
            this.times = times;
            this.duplicates = duplicates;
        }

        @Override
        public void onMessage(String body, long nowNanos) {
            Body.Parsed b = Body.decode(body);
            if (!b.valid() || b.sender() != group) {
                return;
            }
            if (b.counter() == 0) {
                markers++;
                return;
            }
            if (b.counter() <= base || b.counter() > base + messages) {
                return; // an earlier round's message (a page may start before this round's first)
            }
            int bit = (int) (b.counter() - base);
            if (seen.get(bit)) {
                duplicates.increment();
                return;
            }
            seen.set(bit);
            if (!complete && seen.cardinality() >= messages) {
                complete = true;
                times.recordValue(Math.max(1, nowNanos - startNanos));
                done.countDown();
            }
        }

        @Override
        public void onAck(long token, long nowNanos) {
        }

        @Override
        public void onError(String what) {
        }
    }

    public Report run(Options o) throws Exception {
        Driver driver = target.driver(vertx);
        int perGroup = Math.min(10, o.users());
        int users = Math.max(perGroup, (o.users() / perGroup) * perGroup);
        Topology topology = new Topology(users / perGroup, perGroup, false);
        List<DriverConnection> clients = new ArrayList<>();
        List<DriverConnection> senders = new ArrayList<>();
        try {
            log.printf("[%s] preparing %d users in %d conversations…%n", target.name(), users, topology.groups());
            driver.prepare(topology);
            // Phase 1: everyone online; a marker message per conversation tells each client its position.
            List<ClientSpec> specs = new ArrayList<>();
            for (int c = 0; c < o.clients(); c++) {
                specs.add(new ClientSpec(c, c % users, "127.0.0." + (2 + c / o.perAddress()), true));
            }
            CountDownLatch markersSeen = new CountDownLatch(o.clients());
            Listener marker = new Listener() {
                @Override
                public void onMessage(String body, long nowNanos) {
                    if (Body.decode(body).counter() == 0) {
                        markersSeen.countDown();
                    }
                }

                @Override
                public void onAck(long token, long nowNanos) {
                }

                @Override
                public void onError(String what) {
                }
            };
            log.printf("[%s] connecting %,d clients…%n", target.name(), o.clients());
            clients.addAll(Connector.connectAll(driver, specs, i -> marker, 256, Duration.ofMinutes(3)));
            List<ClientSpec> senderSpecs = new ArrayList<>();
            for (int g = 0; g < topology.groups(); g++) {
                senderSpecs.add(new ClientSpec(o.clients() + g, g * perGroup, null, false));
            }
            java.util.concurrent.atomic.AtomicReference<CountDownLatch> ackLatch =
                    new java.util.concurrent.atomic.AtomicReference<>(new CountDownLatch(topology.groups()));
            Listener ackCounter = new Listener() {
                @Override
                public void onMessage(String body, long nowNanos) {
                }

                @Override
                public void onAck(long token, long nowNanos) {
                    ackLatch.get().countDown();
                }

                @Override
                public void onError(String what) {
                    log.printf("[%s] sender error: %s%n", target.name(), what);
                }
            };
            senders.addAll(Connector.connectAll(driver, senderSpecs, i -> ackCounter, 256, Duration.ofMinutes(1)));
            sendBurst(senders, 0, 1, o.payloadBytes());
            if (!markersSeen.await(60, TimeUnit.SECONDS)) {
                log.printf("[%s] warning: %d clients did not see the marker%n", target.name(), markersSeen.getCount());
            }
            Connector.barrier(clients);
            long[] after = new long[o.clients()];
            for (int c = 0; c < o.clients(); c++) {
                after[c] = clients.get(c).lastSeq();
            }
            List<String> earlier = new ArrayList<>();
            CountDownLatch caughtUp = null;
            Recorder times = null;
            LongAdder duplicates = null;
            List<io.vertx.core.Future<DriverConnection>> pending = null;
            long t0 = 0;
            long t1 = 0;
            long cpu0 = 0;
            long cpu1 = 0;
            long self0 = 0;
            long self1 = 0;
            boolean all = false;
            long missing = 0;
            List<dev.parley.bench.report.TimePoint> points = null;
            for (int round = 0; round < o.rounds(); round++) {
                // Phase 2: all away; messages arrive.
                log.printf("[%s] %sdisconnecting; %d messages arrive in each of %d conversations…%n", target.name(),
                        o.rounds() > 1 ? "round " + (round + 1) + " of " + o.rounds() + ": " : "", o.messages(),
                        topology.groups());
                Connector.closeAll(clients, Duration.ofMinutes(1));
                clients.clear();
                Thread.sleep(1000);
                CountDownLatch acked = new CountDownLatch(topology.groups() * o.messages());
                ackLatch.set(acked);
                long base = (long) round * o.messages();
                sendBurst(senders, (int) base + 1, (int) base + o.messages() + 1, o.payloadBytes());
                if (!acked.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(acked.getCount() + " storm messages were not acknowledged");
                }
                Thread.sleep(1000);
                // Phase 3: everyone at once.
                caughtUp = new CountDownLatch(o.clients());
                times = new Recorder(3);
                duplicates = new LongAdder();
                List<Client> listeners = new ArrayList<>();
                for (int c = 0; c < o.clients(); c++) {
                    listeners.add(new Client(topology.groupOf(c % users), o.messages(), base, caughtUp, times,
                            duplicates));
                }
                cpu0 = ProcStats.cpuNanos(target.pid());
                self0 = ProcStats.selfCpuNanos();
                CountDownLatch caughtUpNow = caughtUp;
                Sampler sampler = new Sampler(target.pid(), () -> o.clients() - caughtUpNow.getCount(), () -> 0,
                        new Recorder(3)).start();
                log.printf("[%s] %,d clients reconnect at once…%n", target.name(), o.clients());
                t0 = System.nanoTime();
                long start = t0;
                listeners.forEach(l -> l.startNanos = start);
                pending = new ArrayList<>();
                java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(o.concurrency());
                for (int c = 0; c < o.clients(); c++) {
                    permits.acquire();
                    long afterSeq = after[c];
                    io.vertx.core.Future<DriverConnection> f = driver.connect(specs.get(c), listeners.get(c))
                            .onComplete(ar -> {
                                permits.release();
                                if (ar.succeeded()) {
                                    ar.result().catchUp(afterSeq);
                                }
                            });
                    pending.add(f);
                }
                all = caughtUp.await(o.timeout().toMillis(), TimeUnit.MILLISECONDS);
                t1 = System.nanoTime();
                cpu1 = ProcStats.cpuNanos(target.pid());
                self1 = ProcStats.selfCpuNanos();
                points = sampler.stop();
                for (int c = 0; c < o.clients(); c++) {
                    var f = pending.get(c);
                    if (f.succeeded()) {
                        clients.add(f.result());
                    }
                }
                Connector.barrier(clients);
                for (int c = 0; c < o.clients(); c++) {
                    var f = pending.get(c);
                    if (f.succeeded()) {
                        after[c] = Math.max(after[c], f.result().lastSeq());
                    }
                }
                missing = 0;
                for (Client l : listeners) {
                    missing += Math.max(0, o.messages() - l.seen.cardinality());
                }
                if (round < o.rounds() - 1) {
                    String took = String.format(java.util.Locale.ROOT, "%.2f s", (t1 - t0) / 1e9);
                    earlier.add(took);
                    log.printf("[%s] round %d caught up in %s (not reported)%n", target.name(), round + 1, took);
                }
            }
            Histogram h = times.getIntervalHistogram();
            double secs = (t1 - t0) / 1e9;
            Report.Builder r = Report.builder("storm", target.name(), target.description())
                    .param("clients", o.clients())
                    .param("users", users)
                    .param("conversations", topology.groups())
                    .param("missedMessagesPerClient", o.messages())
                    .param("payloadBytes", o.payloadBytes())
                    .param("reconnectConcurrency", o.concurrency())
                    .param("rounds", o.rounds())
                    .figure("caughtUpClients", o.clients() - caughtUp.getCount())
                    .figure("catchUpSec", all ? secs : Double.NaN)
                    .figure("waitedSec", secs)
                    .figure("lost", missing)
                    .figure("duplicates", duplicates.sum())
                    .figure("failedConnects", pending.stream().filter(io.vertx.core.Future::failed).count())
                    .figure("messagesPerSec", (o.clients() * (long) o.messages() - missing) / secs)
                    .figure("serverCpuPct", cpu0 >= 0 ? (cpu1 - cpu0) * 100.0 / (t1 - t0) : Double.NaN)
                    .figure("serverRssMiB", ProcStats.rssBytes(target.pid()) / 1048576.0)
                    .figure("clientCpuPct", (self1 - self0) * 100.0 / (t1 - t0))
                    .latency(Percentiles.of(h), LoadRun.curve(h))
                    .timeline(points)
                    .note("latency here = time from the start of the storm until each client had all missed messages; "
                            + "deliveredPerSec in the timeline = clients caught up so far");
            if (!earlier.isEmpty()) {
                r.note("the last of " + o.rounds() + " storms in a row against the same server; the earlier took "
                        + String.join(", ", earlier));
            }
            if (!all) {
                r.note("not every client caught up within " + o.timeout().toSeconds() + " s");
            }
            return r.build();
        } finally {
            Connector.closeAll(clients, Duration.ofSeconds(30));
            Connector.closeAll(senders, Duration.ofSeconds(10));
            driver.close();
        }
    }

    /** Each sender (sender index = its conversation) sends counters [from, to) as fast as it can. */
    private static void sendBurst(List<DriverConnection> senders, int from, int to, int payload) {
        for (int g = 0; g < senders.size(); g++) {
            DriverConnection c = senders.get(g);
            int sender = g;
            c.context().runOnContext(v -> {
                for (int k = from; k < to; k++) {
                    c.send(Body.encode(sender, k, 0, payload), k);
                }
            });
        }
    }
}
