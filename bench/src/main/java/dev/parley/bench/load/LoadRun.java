package dev.parley.bench.load;

import dev.parley.bench.driver.ClientSpec;
import dev.parley.bench.driver.DriverConnection;
import dev.parley.bench.driver.Driver;
import dev.parley.bench.driver.Listener;
import dev.parley.bench.measure.ProcStats;
import dev.parley.bench.measure.Sampler;
import dev.parley.bench.report.Percentiles;
import dev.parley.bench.report.Report;
import dev.parley.bench.report.ServerHistograms;
import dev.parley.bench.report.TimePoint;
import dev.parley.bench.target.Target;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * Runs an open-loop {@link Workload} against a target: every member online with one connection, the
 * senders publishing on a fixed schedule from one pacer thread, every receiver checking each message
 * against a per-sender ledger (lost, duplicated) and timing it from its intended send time.
 */
public final class LoadRun {
    private final Target target;
    private final Workload w;
    private final Vertx vertx;
    private final PrintStream log;
    private final long epoch = System.nanoTime();

    /**
     * Latencies and deliveries by where the message's intended time falls: index 0 in the measured window, 1
     * outside it (the warm-up and the drain; not reported). Picked by index, not by a branch: a branch never taken
     * through the warm-up is compiled as a trap, and the window's first message then sent every receiving thread
     * back to the interpreter, a few milliseconds on the first measured second's tail of every single run.
     */
    private final Recorder[] byWindow = {new Recorder(3), new Recorder(3)};
    private final LongAdder[] deliveriesByWindow = {new LongAdder(), new LongAdder()};
    private final Recorder timeline = new Recorder(3);
    private final Recorder acks = new Recorder(3);
    private final LongAdder delivered = new LongAdder();
    private final LongAdder unique = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private volatile boolean finished;
    private volatile String lastError;

    private volatile long startRel;
    private volatile long measureStartRel = Long.MAX_VALUE;
    private volatile long measureEndRel = Long.MAX_VALUE;

    public LoadRun(Target target, Workload workload, Vertx vertx, PrintStream log) {
        this.target = target;
        this.w = workload;
        this.vertx = vertx;
        this.log = log;
    }

    /** Per-member state; touched only on the member connection's event loop until the final barrier. */
    private final class Member implements Listener {
        final int member;
        final int group;
        final int sender; // global sender index, or -1
        final BitSet[] received;
        final BitSet ackedCounters = new BitSet();
        long duplicates;

        Member(int member) {
            this.member = member;
            this.group = w.topology().groupOf(member);
            int slot = member % w.topology().membersPerGroup();
            this.sender = slot < w.sendersPerGroup() ? group * w.sendersPerGroup() + slot : -1;
            this.received = new BitSet[w.sendersPerGroup()];
            for (int i = 0; i < received.length; i++) {
                received[i] = new BitSet();
            }
        }

        @Override
        public void onMessage(String body, long nowNanos) {
            Body.Parsed b = Body.decode(body);
            if (!b.valid() || b.sender() / w.sendersPerGroup() != group) {
                misrouted.increment();
                return;
            }
            delivered.increment();
            BitSet seen = received[b.sender() % w.sendersPerGroup()];
            int counter = (int) b.counter();
            if (seen.get(counter)) {
                duplicates++;
                return;
            }
            seen.set(counter);
            unique.increment();
            long latency = Math.max(0, nowNanos - epoch - b.intendedNanos());
            timeline.recordValue(latency);
            int outside = outsideWindow(b.intendedNanos(), measureStartRel, measureEndRel);
            byWindow[outside].recordValue(latency);
            deliveriesByWindow[outside].increment();
        }

        @Override
        public void onAck(long token, long nowNanos) {
            if (sender < 0 || ackedCounters.get((int) token)) {
                return;
            }
            ackedCounters.set((int) token);
            acked.increment();
            long intended = startRel + (long) ((token * w.senders() + sender) * w.intervalNanos());
            acks.recordValue(Math.max(0, nowNanos - epoch - intended));
        }

        @Override
        public void onError(String what) {
            errors.increment();
            lastError = what;
        }

        @Override
        public void onClosed() {
            if (!finished) {
                disconnects.increment();
                lastError = "member " + member + " disconnected by the server";
            }
        }
    }

    public Report run(String scenario) throws Exception {
        Driver driver = target.driver(vertx);
        List<DriverConnection> connections = List.of();
        try {
            long t0 = System.nanoTime();
            log.printf("[%s] preparing %d members in %d conversations…%n", target.name(), w.topology().members(),
                    w.topology().groups());
            driver.prepare(w.topology());
            double setupSeconds = (System.nanoTime() - t0) / 1e9;
            List<Member> members = new ArrayList<>();
            List<ClientSpec> specs = new ArrayList<>();
            for (int m = 0; m < w.topology().members(); m++) {
                members.add(new Member(m));
                specs.add(ClientSpec.of(m));
            }
            log.printf("[%s] setup took %.1f s; connecting %d clients…%n", target.name(), setupSeconds, specs.size());
            connections = Connector.connectAll(driver, specs, members::get, 256, Duration.ofMinutes(2));
            String loadBefore = loadAverage();
            Thread.sleep(500); // let presence and welcome chatter settle before the clock starts

            int receiversPerMessage = w.topology().membersPerGroup() - (driver.echoesToSender() ? 0 : 1);
            long total = w.totalMessages();
            Sampler sampler = new Sampler(target.pid(), delivered::sum, sent::sum, timeline).start();
            long start = System.nanoTime() + 50_000_000L;
            startRel = start - epoch;
            measureStartRel = startRel + w.warmup().toNanos();
            measureEndRel = measureStartRel + w.duration().toNanos();
            log.printf("[%s] sending %.0f msg/s (%.0f deliveries/s offered) for %d s warm-up + %d s…%n",
                    target.name(), w.rate(), w.rate() * receiversPerMessage, w.warmup().toSeconds(),
                    w.duration().toSeconds());

            List<DriverConnection> conns = connections;
            Thread pacer = Thread.ofPlatform().name("bench-pacer").start(() -> pace(conns, start, total));
            // Scrapes through the warm-up, one a second: the one that opens the window then finds both ends' code
            // loaded and compiled with the scrape's request in its profile. A single scrape at the start was not
            // enough: the server's hot paths were compiled after it, without that request's types, and the
            // window's first scrape deoptimized them (fireChannelRead, ByteBuffer.put, ThreadPoolExecutor.execute;
            // -Xlog:deoptimization), which made the first measured second the worst of most runs.
            warmUpScrapes(target.metricsUrl(), epoch + measureStartRel);
            sleepUntil(epoch + measureStartRel);
            Optional<ServerHistograms> histograms0 = target.metricsUrl().flatMap(ServerHistograms::scrape);
            long cpu0 = ProcStats.cpuNanos(target.pid());
            long self0 = ProcStats.selfCpuNanos();
            long acked0 = acked.sum();
            long wall0 = System.nanoTime();
            sleepUntil(epoch + measureEndRel);
            long cpu1 = ProcStats.cpuNanos(target.pid());
            long self1 = ProcStats.selfCpuNanos();
            long acked1 = acked.sum();
            long wall1 = System.nanoTime();
            long rssEnd = ProcStats.rssBytes(target.pid());
            Optional<ServerHistograms> histograms1 = target.metricsUrl().flatMap(ServerHistograms::scrape);
            pacer.join();

            // Drain: wait (bounded) until every acknowledged message reached every receiver.
            long drainDeadline = System.nanoTime() + w.drain().toNanos();
            while (System.nanoTime() < drainDeadline
                    && (unique.sum() < acked.sum() * receiversPerMessage || acked.sum() + errors.sum() < sent.sum())) {
                Thread.sleep(20);
            }
            List<TimePoint> points = sampler.stop();
            finished = true;
            Connector.barrier(connections);

            long lost = 0;
            long duplicates = 0;
            for (Member r : members) {
                duplicates += r.duplicates;
                for (int p = 0; p < w.sendersPerGroup(); p++) {
                    int s = r.group * w.sendersPerGroup() + p;
                    if (s == r.sender && !driver.echoesToSender()) {
                        continue;
                    }
                    BitSet missing = (BitSet) members.get(w.memberOfSender(s)).ackedCounters.clone();
                    missing.andNot(r.received[p]);
                    lost += missing.cardinality();
                }
            }
            Histogram latency = byWindow[0].getIntervalHistogram();
            double windowSecs = (wall1 - wall0) / 1e9;
            long deliveries = deliveriesByWindow[0].sum();
            Report.Builder report = Report.builder(scenario, target.name(), target.description())
                    .param("conversations", w.topology().groups())
                    .param("membersPerConversation", w.topology().membersPerGroup())
                    .param("sendersPerConversation", w.sendersPerGroup())
                    .param("direct", w.topology().direct())
                    .param("messagesPerSec", w.rate())
                    .param("offeredDeliveriesPerSec", w.rate() * receiversPerMessage)
                    .param("payloadBytes", w.payloadBytes())
                    .param("warmupSec", w.warmup().toSeconds())
                    .param("durationSec", w.duration().toSeconds())
                    .param("connections", connections.size())
                    .param("clientEventLoops", eventLoops(connections))
                    .param("clientTransport", vertx.isNativeTransportEnabled() ? "epoll" : "nio")
                    .param("loadAverageBefore", loadBefore);
            report.figure("deliveredPerSec", deliveries / windowSecs)
                    .figure("ackedPerSec", (acked1 - acked0) / windowSecs)
                    .figure("sent", sent.sum())
                    .figure("acked", acked.sum())
                    .figure("unacked", sent.sum() - acked.sum())
                    .figure("delivered", delivered.sum())
                    .figure("lost", lost)
                    .figure("duplicates", duplicates)
                    .figure("errors", errors.sum())
                    .figure("misrouted", misrouted.sum())
                    .figure("disconnects", disconnects.sum())
                    .figure("p50Ms", Percentiles.of(latency).p50())
                    .figure("p99Ms", Percentiles.of(latency).p99())
                    .figure("serverCpuPct", cpu0 >= 0 ? (cpu1 - cpu0) * 100.0 / (wall1 - wall0) : Double.NaN)
                    .figure("serverCpuUsPerDelivery", cpu0 >= 0 && deliveries > 0 ? (cpu1 - cpu0) / 1e3 / deliveries : Double.NaN)
                    .figure("serverRssMiB", rssEnd >= 0 ? rssEnd / 1048576.0 : Double.NaN)
                    .figure("clientCpuPct", (self1 - self0) * 100.0 / (wall1 - wall0))
                    .figure("clientCpuUsPerDelivery", deliveries > 0 ? (self1 - self0) / 1e3 / deliveries : Double.NaN)
                    .figure("setupSec", setupSeconds);
            report.latency(Percentiles.of(latency), curve(latency)).ackLatency(Percentiles.of(acks.getIntervalHistogram()))
                    .timeline(points);
            if (histograms0.isPresent() && histograms1.isPresent()) {
                serverSide(report, histograms1.get().since(histograms0.get()));
            }
            if (lastError != null) {
                report.note("last error seen: " + lastError);
            }
            if (target.pid() == ProcessHandle.current().pid()) {
                report.note("the server runs inside the bench process: client CPU includes the server's");
            }
            return report.build();
        } finally {
            Connector.closeAll(connections, Duration.ofSeconds(10));
            driver.close();
        }
    }

    /**
     * 0 when {@code intended} lies in [{@code start}, {@code end}), 1 otherwise, without a branch: the sign bit of
     * either difference is set exactly when the time is before the start or at or after the end.
     */
    static int outsideWindow(long intended, long start, long end) {
        return (int) (((intended - start) | (end - 1 - intended)) >>> 63);
    }

    /** The server's histograms of a send's time, over the measured window (figures, and a note that reads them). */
    static void serverSide(Report.Builder report, ServerHistograms h) {
        String durable = "parley_send_durable_latency_seconds";
        String waited = "parley_send_write_wait_seconds";
        String commit = "parley_commit_latency_seconds";
        String handOff = "parley_commit_handoff_seconds";
        if (h.count(durable) == 0) {
            return;
        }
        report.figure("serverStored", h.count(durable))
                .figure("serverDurableP50Ms", h.quantileMs(durable, 0.50))
                .figure("serverDurableP99Ms", h.quantileMs(durable, 0.99))
                .figure("serverWriteWaitP99Ms", h.quantileMs(waited, 0.99))
                .figure("serverCommits", h.count(commit))
                .figure("serverCommitP99Ms", h.quantileMs(commit, 0.99))
                .figure("serverHandoffP99Ms", h.quantileMs(handOff, 0.99));
        report.note(String.format(Locale.ROOT, "server side, measured window: %d entries stored in %d commits; "
                        + "above 3 ms: %.2f %% of sends from queued to durable, %.2f %% waiting for the writer, "
                        + "%.2f %% of commits, %.2f %% of hand-offs to the completions thread",
                h.count(durable), h.count(commit), 100 * h.shareAbove(durable, 3), 100 * h.shareAbove(waited, 3),
                100 * h.shareAbove(commit, 3), 100 * h.shareAbove(handOff, 3)));
    }

    /** The open-loop schedule: message j is due at start + j × interval, sent by sender j mod senders. */
    private void pace(List<DriverConnection> connections, long start, long total) {
        double interval = w.intervalNanos();
        int senders = w.senders();
        Map<Context, List<Object[]>> batches = new IdentityHashMap<>();
        long next = 0;
        while (next < total) {
            long now = System.nanoTime();
            long due = now < start ? 0 : Math.min(total, (long) ((now - start) / interval) + 1);
            if (due <= next) {
                long wait = start + (long) (next * interval) - now;
                LockSupport.parkNanos(Math.min(Math.max(wait, 10_000), 200_000));
                continue;
            }
            for (long j = next; j < due; j++) {
                int s = (int) (j % senders);
                long counter = j / senders;
                DriverConnection c = connections.get(w.memberOfSender(s));
                String body = Body.encode(s, counter, start - epoch + (long) (j * interval), w.payloadBytes());
                batches.computeIfAbsent(c.context(), k -> new ArrayList<>()).add(new Object[] {c, body, counter});
            }
            sent.add(due - next);
            next = due;
            for (Map.Entry<Context, List<Object[]>> e : batches.entrySet()) {
                List<Object[]> batch = e.getValue();
                if (batch.isEmpty()) {
                    continue;
                }
                Object[][] items = batch.toArray(Object[][]::new);
                batch.clear();
                e.getKey().runOnContext(v -> {
                    for (Object[] item : items) {
                        ((DriverConnection) item[0]).send((String) item[1], (Long) item[2]);
                    }
                });
            }
        }
    }

    /** The 1-minute load average, to tell a run on a busy machine from one on a quiet one. */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static int eventLoops(List<DriverConnection> connections) {
        Map<Context, Boolean> distinct = new IdentityHashMap<>();
        connections.forEach(c -> distinct.put(c.context(), Boolean.TRUE));
        return distinct.size();
    }

    static List<double[]> curve(Histogram h) {
        List<double[]> out = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return out;
        }
        // Percentiles beyond 1 - 1/count say nothing more than the max: stop the curve there.
        double last = Math.min(99.9999, 100.0 * (1 - 1.0 / h.getTotalCount()));
        for (HistogramIterationValue v : h.percentiles(4)) {
            double pct = Math.min(v.getPercentileLevelIteratedTo(), last);
            out.add(new double[] {pct, v.getValueIteratedTo() / 1e6});
            if (pct >= last) {
                break;
            }
        }
        return out;
    }

    /**
     * Scrapes {@code metrics} (when the target serves them) once a second from now until a second before
     * {@code until} (a {@link System#nanoTime}), so the last of them never sits right against the window's own.
     */
    static void warmUpScrapes(Optional<URI> metrics, long until) throws InterruptedException {
        if (metrics.isEmpty()) {
            return;
        }
        long last = until - TimeUnit.SECONDS.toNanos(1);
        for (long next = System.nanoTime(); next < last; next += TimeUnit.SECONDS.toNanos(1)) {
            sleepUntil(next);
            ServerHistograms.scrape(metrics.get());
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, left / 1_000_000), 0);
        }
    }
}
