package dev.parley.bench.command;

import dev.parley.bench.driver.Topology;
import dev.parley.bench.load.LoadRun;
import dev.parley.bench.load.Workload;
import dev.parley.bench.report.Report;
import dev.parley.bench.report.ReportWriter;
import dev.parley.bench.target.Target;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench fanout}: R group conversations × S members online, P senders each, at a fixed total rate. */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "Group fan-out at a fixed offered load (open loop); latency from each message's intended send time.")
public final class FanoutCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-r", "--conversations"}, defaultValue = "100", description = "group conversations (default: ${DEFAULT-VALUE})")
    int conversations;

    @Option(names = {"-s", "--members"}, defaultValue = "10", description = "members per conversation, all online (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = {"-p", "--senders"}, defaultValue = "1", description = "senders per conversation (default: ${DEFAULT-VALUE})")
    int senders;

    @Mixin
    RateOptions rate;

    @Override
    public Integer call() throws Exception {
        Topology topology = new Topology(conversations, members, false);
        Workload w = rate.workload(topology, senders);
        Path out = common.outDir("fanout");
        return run(common, "fanout", w, out);
    }

    static int run(CommonOptions common, String scenario, Workload w, Path out) throws Exception {
        Vertx vertx = common.vertx();
        try (Target target = common.open(common.target, out)) {
            Report r = new LoadRun(target, w, vertx, System.out).run(scenario);
            Path html = ReportWriter.write(out, scenario + "-" + target.name(), r);
            System.out.print(ReportWriter.summary(r));
            System.out.println("report: " + html.toAbsolutePath());
            return 0;
        } finally {
            vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Rate, payload and timing options shared by fanout, dm and compare. */
    public static final class RateOptions {
        @Option(names = "--deliveries", defaultValue = "10000",
                description = "offered deliveries per second: messages/s × members (default: ${DEFAULT-VALUE})")
        double deliveries;

        @Option(names = "--rate", description = "messages per second in total; overrides --deliveries")
        Double messagesPerSec;

        @Option(names = "--payload", defaultValue = "200", description = "message body bytes (default: ${DEFAULT-VALUE})")
        int payload;

        // 30 s, not 10: a server started by the bench is still compiling its hot paths at 10 s, and its first
        // pings to quiet sockets (20-25 s after they connect) deoptimize its frame decoder once; both belong
        // in the warm-up of a steady-state figure (docs/performance.md, "Thirteenth session").
        @Option(names = "--warmup", defaultValue = "30", description = "seconds of load before measuring; "
                + "30 covers a server's JIT warm-up and its first round of pings (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--duration", defaultValue = "30", description = "seconds measured (default: ${DEFAULT-VALUE})")
        int duration;

        @Option(names = "--drain", defaultValue = "5", description = "seconds to wait for stragglers after the load (default: ${DEFAULT-VALUE})")
        int drain;

        Workload workload(Topology topology, int senders) {
            double r = messagesPerSec != null ? messagesPerSec : deliveries / topology.membersPerGroup();
            return TimingOptions.workload(topology, senders, r, payload, warmup, duration, drain);
        }
    }

    /** Payload and timing options of scenarios that set their rate themselves ({@code sends}). */
    public static final class TimingOptions {
        @Option(names = "--payload", defaultValue = "200", description = "message body bytes (default: ${DEFAULT-VALUE})")
        int payload;

        @Option(names = "--warmup", defaultValue = "5", description = "seconds of load before measuring (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--duration", defaultValue = "15", description = "seconds measured (default: ${DEFAULT-VALUE})")
        int duration;

        @Option(names = "--drain", defaultValue = "5", description = "seconds to wait for stragglers after the load (default: ${DEFAULT-VALUE})")
        int drain;

        Workload workload(Topology topology, int senders, double messagesPerSec) {
            return workload(topology, senders, messagesPerSec, payload, warmup, duration, drain);
        }

        static Workload workload(Topology topology, int senders, double messagesPerSec, int payload, int warmup,
                                 int duration, int drain) {
            if (warmup < 0 || duration < 1 || duration > 3600 || warmup > 3600) {
                throw new IllegalArgumentException("duration must be 1..3600 s and warm-up 0..3600 s");
            }
            if (!(messagesPerSec > 0)) {
                throw new IllegalArgumentException("the rate must be positive");
            }
            return new Workload(topology, senders, messagesPerSec, payload, Duration.ofSeconds(warmup),
                    Duration.ofSeconds(duration), Duration.ofSeconds(Math.max(1, drain)));
        }
    }
}
