package dev.parley.bench.measure;

import dev.parley.bench.report.TimePoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Takes one {@link TimePoint} a second on its own thread: deliveries and sends per second, latency of what
 * arrived in that second, server CPU and memory, and the load generator's own CPU.
 */
public final class Sampler implements AutoCloseable {
    private final long serverPid;
    private final LongSupplier delivered;
    private final LongSupplier sent;
    private final Recorder latency;
    private final List<TimePoint> points = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public Sampler(long serverPid, LongSupplier delivered, LongSupplier sent, Recorder latency) {
        this.serverPid = serverPid;
        this.delivered = delivered;
        this.sent = sent;
        this.latency = latency;
        this.thread = Thread.ofPlatform().daemon().name("bench-sampler").unstarted(this::loop);
    }

    public Sampler start() {
        thread.start();
        return this;
    }

    private void loop() {
        long t0 = System.nanoTime();
        long lastT = t0;
        long lastDelivered = delivered.getAsLong();
        long lastSent = sent.getAsLong();
        long lastServerCpu = ProcStats.cpuNanos(serverPid);
        long lastClientCpu = ProcStats.selfCpuNanos();
        Histogram interval = null;
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                break;
            }
            long now = System.nanoTime();
            long d = delivered.getAsLong();
            long s = sent.getAsLong();
            long serverCpu = ProcStats.cpuNanos(serverPid);
            long clientCpu = ProcStats.selfCpuNanos();
            interval = latency.getIntervalHistogram(interval);
            double secs = (now - lastT) / 1e9;
            boolean hasLatency = interval.getTotalCount() > 0;
            TimePoint p = new TimePoint(
                    Math.round((now - t0) / 1e8) / 10.0,
                    Math.round((d - lastDelivered) / secs),
                    Math.round((s - lastSent) / secs),
                    hasLatency ? interval.getValueAtPercentile(50) / 1e6 : -1,
                    hasLatency ? interval.getValueAtPercentile(99) / 1e6 : -1,
                    hasLatency ? interval.getMaxValue() / 1e6 : -1,
                    serverCpu >= 0 && lastServerCpu >= 0 ? pct(serverCpu - lastServerCpu, now - lastT) : -1,
                    serverPid > 0 ? ProcStats.rssBytes(serverPid) / 1048576.0 : -1,
                    clientCpu >= 0 && lastClientCpu >= 0 ? pct(clientCpu - lastClientCpu, now - lastT) : -1);
            synchronized (points) {
                points.add(p);
            }
            lastT = now;
            lastDelivered = d;
            lastSent = s;
            lastServerCpu = serverCpu;
            lastClientCpu = clientCpu;
        }
    }

    private static double pct(long cpuNanos, long wallNanos) {
        return Math.round(cpuNanos * 1000.0 / wallNanos) / 10.0;
    }

    /** Stops sampling and returns the points taken. */
    public List<TimePoint> stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (points) {
            return List.copyOf(points);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
