package dev.parley.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench cluster-latency} on a tiny load, on three in-process nodes (PostgreSQL, a private Redis) and one
 * alone: the figures are not asserted (speed is measured, not tested), only that the run counts what it should —
 * every message of the measured round once at each receiver, sorted by where the receiver is. Needs PostgreSQL on
 * 127.0.0.1:5432 and {@code redis-server}; skipped without them, failed under {@code CI=true}.
 */
class ClusterLatencySmokeTest {
    @TempDir
    Path dir;

    @Test
    void eachReceiverCountsEveryMeasuredMessageOnceUnderItsSetup() throws Exception {
        SoakSmokeTest.requirePostgresAndRedis();
        // Two senders, 10 messages each in the one measured round; the warm-up's messages are not counted.
        ClusterLatencyRun.Options o = new ClusterLatencyRun.Options(10, Duration.ofMillis(500), Duration.ofSeconds(1), 1);
        ClusterLatencyReport r;
        try (Cluster single = Cluster.single(dir, SoakSmokeTest.PG, InProcessNode.LAUNCHER);
             Cluster cluster = Cluster.start(dir, SoakSmokeTest.PG, 3, InProcessNode.LAUNCHER, false)) {
            r = new ClusterLatencyRun(System.out).run(cluster.urls(), cluster.describe(), single.urls().getFirst(),
                    single.describe(), o);
        }
        System.out.print(r.text());

        int warmup = 2 * 5;
        int measured = 2 * 10;
        assertThat(r.sends()).isEqualTo(2L * (warmup + measured)).isEqualTo(r.acked());
        assertThat(r.singleNode().count()).as("4 receivers on the single node").isEqualTo(4L * measured);
        assertThat(r.sameNode().count()).as("1 receiver on the senders' node").isEqualTo(measured);
        assertThat(r.otherNode().count()).as("3 receivers on the other nodes").isEqualTo(3L * measured);
        assertThat(r.text()).contains("single node (in-process bus)", "receiver on another node", "n=" + 3 * measured);
    }
}
