package dev.parley.bench.report;

import org.HdrHistogram.Histogram;

/** Latency summary in milliseconds, from a histogram recorded in nanoseconds. */
public record Percentiles(long count, double p50, double p90, double p99, double p999, double max, double mean) {

    public static Percentiles of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new Percentiles(0, 0, 0, 0, 0, 0, 0);
        }
        return new Percentiles(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                h.getMean() / 1e6);
    }

    static double ms(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }
}
