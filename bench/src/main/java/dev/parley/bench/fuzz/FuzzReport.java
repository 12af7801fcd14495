package dev.parley.bench.fuzz;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a fuzz run: what was sent, every answer by class, the server faults (which must be
 * zero), the server's memory before and after, and the throughput. Written as text for people and as
 * JSON ({@code --report}).
 *
 * @param httpMeanMs         mean time of an HTTP request by route (where the run spends its time)
 * @param faults             server faults: process died, {@code /healthz} not 200, a 5xx answer, an
 *                           {@code internal} error, a 1011 close, an ERROR line in the server's log
 * @param rssBeforeBytes     server resident memory after setup (-1 when unknown)
 * @param liveHeapBeforeBytes server live heap after a full GC (-1 when not a JVM we may probe)
 * @param serverLogChecked   whether the server's log was available to scan for ERROR lines
 */
public record FuzzReport(String target, long seed, String startedAt, double seconds, String stoppedBecause,
                         long wsFrames, long httpRequests, long total, double perSecond, int sockets,
                         int httpConnections, Map<String, Long> sent, Map<String, Double> httpMeanMs, Map<String, Long> answers, long faults,
                         List<Tally.Fault> faultSamples, boolean serverLogChecked, long errorLogLines,
                         long warnLogLines, long rssBeforeBytes, long rssAfterBytes, long liveHeapBeforeBytes,
                         long liveHeapAfterBytes, String loadBefore, String loadAfter, String afterwards) {

    /** Faults count as failures of the run. */
    public boolean passed() {
        return faults == 0;
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("fuzz against ").append(target).append('\n');
        b.append(String.format(Locale.ROOT, "  sent        %,d WebSocket frames + %,d HTTP requests = %,d in %.1f s (%,.0f/s)"
                + " over %d sockets and %d HTTP connections; stopped: %s; seed %d%n", wsFrames, httpRequests, total,
                seconds, perSecond, sockets, httpConnections, stoppedBecause, seed));
        b.append("  answers by class:\n");
        answers.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> b.append(String.format(Locale.ROOT, "    %-52s %,12d%n", e.getKey(), e.getValue())));
        b.append(String.format(Locale.ROOT, "  server log: %s%n", serverLogChecked
                ? errorLogLines + " ERROR lines, " + warnLogLines + " WARN lines" : "not available (pass --server-log)"));
        b.append(String.format(Locale.ROOT, "  server memory: RSS %s → %s; live heap %s → %s%n", mib(rssBeforeBytes),
                mib(rssAfterBytes), mib(liveHeapBeforeBytes), mib(liveHeapAfterBytes)));
        b.append("  load average: before ").append(loadBefore).append(", after ").append(loadAfter).append('\n');
        b.append("  afterwards: ").append(afterwards).append('\n');
        b.append(String.format(Locale.ROOT, "  SERVER FAULTS: %d%s%n", faults, faults == 0 ? " (pass)" : " (FAIL)"));
        for (Tally.Fault f : faultSamples) {
            b.append("    - ").append(f.kind()).append("\n      sent:   ").append(f.sent())
                    .append("\n      answer: ").append(f.answer()).append('\n');
        }
        return b.toString();
    }

    static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
