package dev.parley.bench.soak;

import dev.parley.bench.report.Percentiles;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a soak: what was sent and acknowledged, what every member holds at the end, and
 * everything that must be zero — acknowledged messages missing from a member's view, gaps in a view,
 * messages stored twice, members disagreeing about an entry, sends never acknowledged.
 *
 * @param lost            (acknowledged message, member) pairs where the member's view lacks it
 * @param gaps            seqs missing from members' views between 1 and the conversation's last seq
 * @param duplicates      messages (by clientMsgId) stored at more than one seq
 * @param inconsistent    (seq, member) pairs where the member holds a different entry than the others
 * @param unacked         sends still without {@code sent} at the end
 * @param nodeLogErrors   ERROR lines in each node's log (informational: a killed bus is worth an error line)
 * @param redeliveries    live copies of entries a client already held (at-least-once delivery, dropped by seq)
 */
public record SoakReport(String cluster, long seed, String startedAt, double plannedSeconds, double sendingSeconds,
                         int users, int groups, int directs, double rate, List<String> events, long sends, long acked,
                         long unacked, long storedEntries, long memberViews, long expectedDeliveries, long lost,
                         long gaps, long duplicates, long inconsistent, long ackConflicts, long storedNotAcked,
                         long redeliveries, long forcedDrops, long lostByServer, long deadSockets, long welcomes,
                         long resends, Percentiles ackLatency, Percentiles deliveryLatency, Map<String, Long> errors,
                         Map<String, Double> nodeRssMiB, Map<String, Long> nodeLogErrors, List<String> load, List<String> examples) {

    public boolean passed() {
        return lost == 0 && gaps == 0 && duplicates == 0 && inconsistent == 0 && unacked == 0 && ackConflicts == 0
                && acked > 0;
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("soak on ").append(cluster).append('\n');
        b.append(String.format(Locale.ROOT, "  %d users in %d groups and %d direct conversations, %.1f messages/s for %.0f s"
                + " (planned %.0f s); seed %d%n", users, groups, directs, rate, sendingSeconds, plannedSeconds, seed));
        events.forEach(e -> b.append("  event: ").append(e).append('\n'));
        b.append(String.format(Locale.ROOT, "  sent %,d, acknowledged %,d, never acknowledged %d; %,d entries stored;"
                + " %,d deliveries checked in %d member views%n", sends, acked, unacked, storedEntries, expectedDeliveries,
                memberViews));
        b.append(String.format(Locale.ROOT, "  LOST %d   GAPS %d   DUPLICATES %d   INCONSISTENT %d   ACK CONFLICTS %d"
                + "   (stored but not acked %d)%n", lost, gaps, duplicates, inconsistent, ackConflicts, storedNotAcked));
        b.append(String.format(Locale.ROOT, "  reconnects: %d welcomes after %d forced drops, %d sockets lost to the"
                + " server side, %d silent sockets given up; %,d resends; %,d live redeliveries dropped by seq%n",
                welcomes, forcedDrops, lostByServer, deadSockets, resends, redeliveries));
        b.append(String.format(Locale.ROOT, "  ack latency ms       p50 %.1f  p99 %.1f  max %.1f  (%d)%n", ackLatency.p50(),
                ackLatency.p99(), ackLatency.max(), ackLatency.count()));
        b.append(String.format(Locale.ROOT, "  delivery latency ms  p50 %.1f  p99 %.1f  max %.1f  (%d live deliveries)%n",
                deliveryLatency.p50(), deliveryLatency.p99(), deliveryLatency.max(), deliveryLatency.count()));
        if (!errors.isEmpty()) {
            b.append("  error answers: ").append(errors).append('\n');
        }
        b.append("  node RSS at the end (MiB): ").append(nodeRssMiB).append("; ERROR lines in node logs: ")
                .append(nodeLogErrors.isEmpty() ? "n/a" : nodeLogErrors).append('\n');
        load.forEach(l -> b.append("  load: ").append(l).append('\n'));
        examples.forEach(e -> b.append("  example: ").append(e).append('\n'));
        b.append(passed() ? "  PASS: every acknowledged message reached every member once, in order\n" : "  FAIL\n");
        return b.toString();
    }
}
