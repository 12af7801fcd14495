package dev.parley.bench.soak;

import dev.parley.bench.report.Percentiles;
import java.util.Locale;

/**
 * What {@code bench cluster-latency} measured: send-to-delivery latency (milliseconds) on the single node, and on
 * the cluster for the receiver on the senders' node and the receivers on the other nodes; only the measured
 * rounds count (every receiver's first copy of every message), the warm-up does not.
 *
 * @param loadBefore load average before the measured rounds
 * @param loadAfter  load average after them
 */
public record ClusterLatencyReport(String cluster, String single, double ratePerSender, double warmupSeconds,
                                   double roundSeconds, int rounds, String loadBefore, String loadAfter, long sends,
                                   long acked, Percentiles singleNode, Percentiles sameNode, Percentiles otherNode) {

    public String text() {
        return String.format(Locale.ROOT, """
                        cluster-latency: send-to-delivery latency, one group of 6 (2 senders and 1 receiver on one node, 3
                        receivers on the other nodes), 2 senders x %.0f msg/s; after a %.1f s warm-up of each, %d alternating
                        %.1f s rounds per setup (load average before: %s, after: %s); %d sends, %d acknowledged
                          cluster: %s
                          single:  %s
                          single node (in-process bus):        %s
                          cluster, receiver on sender's node:  %s
                          cluster, receiver on another node:   %s
                        """, ratePerSender, warmupSeconds, rounds, roundSeconds, loadBefore, loadAfter, sends, acked,
                cluster, single, line(singleNode), line(sameNode), line(otherNode));
    }

    private static String line(Percentiles p) {
        return String.format(Locale.ROOT, "n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms", p.count(), p.p50(),
                p.p90(), p.p99(), p.max());
    }
}
