package dev.parley.bench.command;

import dev.parley.bench.soak.Cluster;
import dev.parley.bench.soak.ClusterLatencyReport;
import dev.parley.bench.soak.ClusterLatencyRun;
import dev.parley.bench.soak.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench cluster-latency}: send-to-delivery latency on a local cluster (PostgreSQL, a private Redis, N
 * {@code parley.jar} nodes) next to one node with the in-process bus, on the same PostgreSQL and load
 * (docs/scaling.md, "Measured").
 */
@Command(name = "cluster-latency", mixinStandardHelpOptions = true,
        description = "Send-to-delivery latency on a local cluster (receivers on the sender's node and on others) next to a single node.")
public final class ClusterLatencyCommand implements Callable<Integer> {
    @Option(names = "--rate", defaultValue = "25", description = "messages per second of each of the 2 senders (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--warmup", defaultValue = "3", description = "seconds of load on each setup before measuring (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--round", defaultValue = "6", description = "seconds of one measured round (default: ${DEFAULT-VALUE})")
    double round;

    @Option(names = "--rounds", defaultValue = "2", description = "measured rounds per setup, the setups alternating (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--nodes", defaultValue = "3", description = "cluster nodes, at least 2 (default: ${DEFAULT-VALUE})")
    int nodes;

    @Mixin
    LocalClusterOptions local;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2 || nodes > 9) {
            throw new IllegalArgumentException("--nodes must be 2..9");
        }
        String pgUrl = local.pgUrl();
        ClusterLatencyRun.Options options = new ClusterLatencyRun.Options(rate, Duration.ofMillis((long) (warmup * 1000)),
                Duration.ofMillis((long) (round * 1000)), rounds);
        Path dir = local.dir("cluster-latency");
        Node.Launcher launcher = local.launcher();
        ClusterLatencyReport r;
        try (Cluster single = Cluster.single(dir, pgUrl, launcher);
             Cluster cluster = Cluster.start(dir, pgUrl, nodes, launcher, false)) {
            System.out.println("cluster-latency: " + cluster.describe() + "; next to " + single.describe());
            r = new ClusterLatencyRun(System.out).run(cluster.urls(), cluster.describe(), single.urls().getFirst(),
                    single.describe(), options);
        }
        System.out.print(r.text());
        local.writeReport(r);
        return 0;
    }
}
