package dev.parley.cli.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles of measured latencies, for the report the cluster tests print (never asserted). */
final class Stats {
    private final List<Double> values = new ArrayList<>();

    synchronized void add(double ms) {
        values.add(ms);
    }

    synchronized int count() {
        return values.size();
    }

    synchronized double percentile(double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    @Override
    public synchronized String toString() {
        return String.format("n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms", count(), percentile(50),
                percentile(90), percentile(99), percentile(100));
    }
}
