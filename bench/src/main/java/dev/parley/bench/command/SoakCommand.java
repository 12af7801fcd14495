package dev.parley.bench.command;

import dev.parley.bench.soak.Cluster;
import dev.parley.bench.soak.Haproxy;
import dev.parley.bench.soak.SoakReport;
import dev.parley.bench.soak.SoakRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench soak}: a 3-node cluster on PostgreSQL and a private Redis behind HAProxy, steady chat load
 * with client drops, a node crash and a Redis restart; exits 1 unless every acknowledged message reached
 * every member exactly once, in order.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Chat load on a local 3-node cluster with crashes and reconnects; verify nothing is lost or duplicated.")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "1800", description = "seconds of load (default: ${DEFAULT-VALUE})")
    long duration;

    @Option(names = "--users", defaultValue = "30", description = "users, one socket each (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--group-size", defaultValue = "6", description = "members per group; everyone is also in two direct chats (default: ${DEFAULT-VALUE})")
    int groupSize;

    @Option(names = "--rate", defaultValue = "20", description = "messages per second in all (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--nodes", defaultValue = "3", description = "server nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--disconnect-every", defaultValue = "5", description = "seconds between random client drops (default: ${DEFAULT-VALUE})")
    long disconnectEvery;

    @Option(names = "--kill-at", defaultValue = "0.3", description = "when to SIGKILL a node, as a fraction of the duration (default: ${DEFAULT-VALUE})")
    double killAt;

    @Option(names = "--node-down", defaultValue = "10", description = "seconds the killed node stays down (default: ${DEFAULT-VALUE})")
    long nodeDown;

    @Option(names = "--redis-at", defaultValue = "0.6", description = "when to kill Redis, as a fraction of the duration (default: ${DEFAULT-VALUE})")
    double redisAt;

    @Option(names = "--redis-down", defaultValue = "5", description = "seconds Redis stays down (default: ${DEFAULT-VALUE})")
    long redisDown;

    @Option(names = "--drain", defaultValue = "120", description = "seconds to wait for the last acknowledgements (default: ${DEFAULT-VALUE})")
    long drain;

    @Option(names = "--seed", description = "random seed (default: the time)")
    Long seed;

    @Mixin
    LocalClusterOptions local;

    @Override
    public Integer call() throws Exception {
        String pgUrl = local.pgUrl();
        long s = seed != null ? seed : System.currentTimeMillis();
        SoakRun.Options options = new SoakRun.Options(users, groupSize, rate, Duration.ofSeconds(duration),
                Duration.ofSeconds(disconnectEvery), killAt, Duration.ofSeconds(nodeDown), redisAt,
                Duration.ofSeconds(redisDown), Duration.ofSeconds(drain), s);
        Path dir = local.dir("soak");
        if (!Haproxy.installed()) {
            System.out.println("soak: HAProxy not installed at " + Haproxy.BINARY + "; clients will connect to the nodes directly");
        }
        SoakReport r;
        try (Cluster cluster = Cluster.start(dir, pgUrl, nodes, local.launcher(), Haproxy.installed())) {
            r = new SoakRun(cluster, System.out).run(options);
        }
        System.out.print(r.text());
        local.writeReport(r);
        return r.passed() ? 0 : 1;
    }
}
