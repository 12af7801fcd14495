package dev.parley.bench.stream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Chooses the durable stream engine by measurement (issue 17; results in docs/scaling.md). For each engine a
 * private broker on loopback, one publishing node and three receiving nodes (each its own connections), every
 * receiver following every one of {@code topics} conversation topics:
 * <ol>
 *   <li>latency: {@code latencyEvents} events paced at {@code rate}/s, publish-to-handler time at each receiver;</li>
 *   <li>throughput: {@code burst} events published as fast as the client takes them, until every receiver holds
 *       them all (deliveries per second = burst x 3 / elapsed);</li>
 *   <li>restart: 300 events/s for 6 s; the broker is killed (SIGKILL) after 1.5 s and started again 1 s later.
 *       Reported: how long after the restart every receiver got an event published after the kill, and how many
 *       of the events the publisher handed over were lost or came twice at the worst receiver.</li>
 * </ol>
 * Run: {@code java -Dkafka.cp=<classpath file> -cp <bench classpath> dev.parley.bench.stream.StreamEngines
 * [runs] [engines...]}; engines are {@code redis jetstream kafka}, alternated run by run.
 */
public final class StreamEngines {
    private static final int TOPICS = 50;
    private static final int RECEIVERS = 3;
    private static final String PAD = "x".repeat(260);

    private StreamEngines() {
    }

    /** Per receiver: what arrived in the current phase. */
    private static final class Sink implements Consumer<String> {
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        final BitSet seen = new BitSet();
        long count;
        long dups;
        long firstAfterMark = -1;
        volatile int mark = Integer.MAX_VALUE;

        @Override
        public synchronized void accept(String payload) {
            long now = System.nanoTime();
            int a = payload.indexOf('|');
            int b = payload.indexOf('|', a + 1);
            long sentAt = Long.parseLong(payload, 0, a, 10);
            int id = Integer.parseInt(payload, a + 1, b, 10);
            latency.recordValue(Math.max(0, (now - sentAt) / 1_000));
            if (seen.get(id)) {
                dups++;
            }
            seen.set(id);
            count++;
            if (id >= mark && firstAfterMark < 0) {
                firstAfterMark = now;
            }
        }

        synchronized long count() {
            return count;
        }
    }

    private static volatile Sink[] sinks = new Sink[RECEIVERS];

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> engines = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("redis", "jetstream", "kafka");
        Path root = Files.createTempDirectory("parley-stream-engines-");
        System.out.printf("engine,run,load1,p50_us,p99_us,max_us,burst_deliveries_per_s,restart_recovery_ms,"
                + "restart_lost,restart_dups%n");
        for (int run = 1; run <= runs; run++) {
            for (String engine : engines) {
                System.out.println(measure(engine, run, root.resolve(engine + "-" + run)));
            }
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    private static String measure(String engine, int run, Path dir) throws Exception {
        Brokers.Broker broker = switch (engine) {
            case "redis" -> new Brokers.Redis(dir);
            case "jetstream" -> new Brokers.Nats(dir);
            case "kafka" -> new Brokers.Kafka(dir);
            default -> throw new IllegalArgumentException(engine);
        };
        List<Engines.Node> nodes = new ArrayList<>();
        try {
            broker.start();
            switch (engine) {
                case "jetstream" -> Engines.createNatsStream(broker.url());
                case "kafka" -> Engines.createKafkaTopic(broker.url());
                default -> { }
            }
            List<String> topics = new ArrayList<>();
            for (int i = 0; i < TOPICS; i++) {
                topics.add("c.cnv_" + i);
            }
            for (int i = 0; i <= RECEIVERS; i++) {
                nodes.add(switch (engine) {
                    case "redis" -> Engines.redis(broker.url());
                    case "jetstream" -> Engines.jetstream(broker.url());
                    default -> Engines.kafka(broker.url());
                });
            }
            Engines.Node publisher = nodes.getFirst();
            for (int r = 0; r < RECEIVERS; r++) {
                int idx = r;
                nodes.get(r + 1).subscribe(topics, p -> sinks[idx].accept(p));
            }
            AtomicLong ids = new AtomicLong();
            // warm-up (also proves every receiver is subscribed)
            phase(publisher, topics, ids, 2_000, 2_000, null);
            System.err.println("[stream-engines] " + engine + ": latency phase");
            Sink[] lat = phase(publisher, topics, ids, 5_000, 1_000, null);
            Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            for (Sink s : lat) {
                all.add(s.latency);
            }
            int burst = 30_000;
            long t0 = System.nanoTime();
            Sink[] b = phase(publisher, topics, ids, burst, 0, null);
            double secs = (System.nanoTime() - t0) / 1e9;
            double deliveries = burst * (double) RECEIVERS / secs;
            long[] restart = new long[3];
            System.err.println("[stream-engines] " + engine + ": restart phase");
            phase(publisher, topics, ids, 1_800, 300, new Restart(broker, restart));
            return String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%d,%.0f,%d,%d,%d", engine, run, load(),
                    all.getValueAtPercentile(50), all.getValueAtPercentile(99), all.getMaxValue(), deliveries,
                    restart[0], restart[1], restart[2]);
        } finally {
            for (Engines.Node n : nodes) {
                try {
                    n.close();
                } catch (RuntimeException e) {
                    // closing
                }
            }
            broker.close();
        }
    }

    private record Restart(Brokers.Broker broker, long[] out) {
    }

    /**
     * Publishes {@code count} events round-robin over the topics ({@code rate} per second, 0 = unpaced), then
     * waits (at most 30 s) until every receiver holds them all; returns the receivers' sinks.
     */
    private static Sink[] phase(Engines.Node publisher, List<String> topics, AtomicLong ids, int count, int rate,
                                Restart restart) throws Exception {
        Sink[] fresh = new Sink[RECEIVERS];
        for (int i = 0; i < RECEIVERS; i++) {
            fresh[i] = new Sink();
        }
        sinks = fresh;
        long start = System.nanoTime();
        long restartedAt = 0;
        boolean killed = false;
        for (int i = 0; i < count; i++) {
            if (rate > 0) {
                long due = start + (long) i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            if (restart != null && !killed && i == rate * 3 / 2) {
                restart.broker().kill();
                killed = true;
                for (Sink s : fresh) {
                    s.mark = i;
                }
            }
            if (restart != null && killed && restartedAt == 0 && i == rate * 5 / 2) {
                restartedAt = System.nanoTime();
                restart.broker().start();
            }
            publisher.publish(topics.get(i % topics.size()), Long.toString(ids.incrementAndGet()),
                    System.nanoTime() + "|" + i + "|" + PAD);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean done = true;
            for (Sink s : fresh) {
                done &= s.count() >= count;
            }
            if (done) {
                break;
            }
            Thread.sleep(5);
        }
        if (restart != null) {
            long recovered = 0;
            long lost = 0;
            long dups = 0;
            for (Sink s : fresh) {
                synchronized (s) {
                    recovered = s.firstAfterMark < 0 || recovered < 0 ? -1 : Math.max(recovered,
                            (s.firstAfterMark - restartedAt) / 1_000_000);
                    lost = Math.max(lost, count - s.seen.cardinality());
                    dups = Math.max(dups, s.dups);
                }
            }
            restart.out()[0] = recovered;
            restart.out()[1] = lost;
            restart.out()[2] = dups;
        } else {
            for (Sink s : fresh) {
                if (s.count() < count) {
                    System.err.println("counts: " + java.util.Arrays.stream(fresh).map(x -> x.count() + "/"
                            + x.seen.cardinality() + " first missing " + x.seen.nextClearBit(0)).toList());
                    throw new IllegalStateException("a receiver got " + s.count() + " of " + count);
                }
            }
        }
        return fresh;
    }
}
