package dev.parley.bench.load;

import dev.parley.bench.driver.ClientSpec;
import dev.parley.bench.driver.DriverConnection;
import dev.parley.bench.driver.Driver;
import dev.parley.bench.driver.Listener;
import dev.parley.bench.driver.Topology;
import dev.parley.bench.measure.ProcStats;
import dev.parley.bench.report.Percentiles;
import dev.parley.bench.report.Report;
import dev.parley.bench.report.TimePoint;
import dev.parley.bench.target.Target;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Opens idle connections step by step up to {@code count}, spread over source addresses 127.0.0.2,
 * 127.0.0.3 … (each address has its own ephemeral ports), and reads the server's resident memory at
 * each step: the slope is the server memory each idle connection costs.
 */
public final class ConnectionsRun {
    private final Target target;
    private final Vertx vertx;
    private final PrintStream log;

    /**
     * @param count      connections to open in total
     * @param users      distinct users whose tokens the connections use (round robin), in conversations of 10
     * @param perAddress connections per source address
     * @param steps      memory readings between 0 and {@code count}
     * @param hold       how long to keep them all open before the last reading
     */
    public record Options(int count, int users, int perAddress, int steps, Duration hold) {
        public Options {
            if (count < 1 || users < 1 || perAddress < 1 || steps < 1) {
                throw new IllegalArgumentException("count, users, per-address and steps must be at least 1");
            }
            if ((count + perAddress - 1) / perAddress > 250) {
                throw new IllegalArgumentException("at most 250 source addresses (127.0.0.2 … 127.0.0.251)");
            }
        }
    }

    public ConnectionsRun(Target target, Vertx vertx, PrintStream log) {
        this.target = target;
        this.vertx = vertx;
        this.log = log;
    }

    public Report run(Options o) throws Exception {
        Driver driver = target.driver(vertx);
        List<DriverConnection> open = new ArrayList<>();
        LongAdder errors = new LongAdder();
        LongAdder closed = new LongAdder();
        Listener listener = new Listener() {
            @Override
            public void onMessage(String body, long nowNanos) {
            }

            @Override
            public void onAck(long token, long nowNanos) {
            }

            @Override
            public void onError(String what) {
                errors.increment();
            }

            @Override
            public void onClosed() {
                closed.increment();
            }
        };
        try {
            int perGroup = Math.min(10, o.users());
            int users = (o.users() / perGroup) * perGroup;
            driver.prepare(new Topology(users / perGroup, perGroup, false));
            Thread.sleep(2000);
            long pid = target.pid();
            boolean jvm = target.name().startsWith("parley");
            long heap0 = jvm ? dev.parley.bench.measure.JvmProbe.liveHeapBytes(pid) : -1;
            long rss0 = ProcStats.rssBytes(pid);
            long cpu0 = ProcStats.cpuNanos(pid);
            long wall0 = System.nanoTime();
            List<TimePoint> points = new ArrayList<>();
            List<double[]> memory = new ArrayList<>();
            memory.add(new double[] {0, rss0 / 1048576.0});
            Recorder handshakes = new Recorder(3);
            log.printf("[%s] server RSS %.1f MiB before; opening %d connections in %d steps…%n", target.name(),
                    rss0 / 1048576.0, o.count(), o.steps());
            int done = 0;
            for (int step = 1; step <= o.steps(); step++) {
                int upTo = (int) ((long) o.count() * step / o.steps());
                List<ClientSpec> specs = new ArrayList<>();
                for (int c = done; c < upTo; c++) {
                    specs.add(new ClientSpec(c, c % users, "127.0.0." + (2 + c / o.perAddress()), false));
                }
                long t = System.nanoTime();
                List<DriverConnection> batch = Connector.connectAll(driver, specs, i -> listener, 256, Duration.ofMinutes(3));
                long elapsed = System.nanoTime() - t;
                handshakes.recordValue(Math.max(1, elapsed / Math.max(1, specs.size())));
                open.addAll(batch);
                done = upTo;
                Thread.sleep(500);
                long rss = ProcStats.rssBytes(pid);
                memory.add(new double[] {done, rss / 1048576.0});
                points.add(new TimePoint(Math.round((System.nanoTime() - wall0) / 1e8) / 10.0, done, 0, -1, -1, -1,
                        -1, rss / 1048576.0, -1));
                log.printf("[%s] %,d connections: server RSS %.1f MiB%n", target.name(), done, rss / 1048576.0);
            }
            Thread.sleep(o.hold().toMillis());
            long rssN = ProcStats.rssBytes(pid);
            long cpuN = ProcStats.cpuNanos(pid);
            long heapN = heap0 >= 0 ? dev.parley.bench.measure.JvmProbe.liveHeapBytes(pid) : -1;
            long wallN = System.nanoTime();
            memory.add(new double[] {done, rssN / 1048576.0});
            Histogram perConnect = handshakes.getIntervalHistogram();
            Report.Builder r = Report.builder("connections", target.name(), target.description())
                    .param("connections", o.count())
                    .param("users", users)
                    .param("perSourceAddress", o.perAddress())
                    .param("sourceAddresses", "127.0.0.2 … 127.0.0." + (1 + (o.count() + o.perAddress() - 1) / o.perAddress()))
                    .param("holdSec", o.hold().toSeconds())
                    .figure("connections", open.size())
                    .figure("serverRssBeforeMiB", rss0 / 1048576.0)
                    .figure("serverRssMiB", rssN / 1048576.0)
                    .figure("kibPerConnection", rss0 > 0 ? (rssN - rss0) / 1024.0 / open.size() : Double.NaN)
                    .figure("liveHeapBeforeMiB", heap0 >= 0 ? heap0 / 1048576.0 : Double.NaN)
                    .figure("liveHeapMiB", heapN >= 0 ? heapN / 1048576.0 : Double.NaN)
                    .figure("heapKibPerConnection", heap0 >= 0 && heapN >= 0 ? (heapN - heap0) / 1024.0 / open.size() : Double.NaN)
                    .figure("serverCpuPct", cpu0 >= 0 ? (cpuN - cpu0) * 100.0 / (wallN - wall0) : Double.NaN)
                    .figure("closedByServer", closed.sum())
                    .figure("errors", errors.sum())
                    .figure("meanHandshakeMsPerStep", Percentiles.of(perConnect).mean())
                    .timeline(points);
            if (jvm) {
                r.note("a JVM's RSS moves with heap sizing, not live data: read heapKibPerConnection (live heap after a "
                        + "full GC, via jcmd) and, with a pre-touched fixed heap (-Xms=-Xmx, -XX:+AlwaysPreTouch), "
                        + "kibPerConnection as the memory outside the heap");
            }
            r.chart("Server memory against open connections", "connections", "RSS MiB", memory);
            return r.build();
        } finally {
            Connector.closeAll(open, Duration.ofSeconds(30));
            driver.close();
        }
    }
}
