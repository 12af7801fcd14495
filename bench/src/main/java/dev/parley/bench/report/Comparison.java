package dev.parley.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Medians over repeated runs of each target and their ratios (first target ÷ second): the summary of a
 * {@code bench compare} run.
 */
public record Comparison(String first, String second, List<String> metrics, Map<String, Double> firstMedians,
                         Map<String, Double> secondMedians, Map<String, Double> ratios, List<Report> runs) {

    /** Metrics compared, with what a ratio below 1 means for each. */
    public static final List<String> METRICS = List.of("deliveredPerSec", "p50Ms", "p99Ms", "p999Ms", "maxMs",
            "serverCpuPct", "serverCpuUsPerDelivery", "serverRssMiB", "clientCpuPct", "lost", "duplicates");

    public static Comparison of(String first, String second, List<Report> runs) {
        Map<String, Double> a = new LinkedHashMap<>();
        Map<String, Double> b = new LinkedHashMap<>();
        Map<String, Double> r = new LinkedHashMap<>();
        for (String m : METRICS) {
            double ma = median(runs, first, m);
            double mb = median(runs, second, m);
            a.put(m, round(ma));
            b.put(m, round(mb));
            r.put(m, mb != 0 && Double.isFinite(ma) && Double.isFinite(mb) ? round(ma / mb) : null);
        }
        return new Comparison(first, second, METRICS, a, b, r, runs);
    }

    /** A figure of a run, including latency percentiles under the names p50Ms … maxMs. */
    public static double value(Report r, String metric) {
        if (r.latency() != null) {
            switch (metric) {
                case "p50Ms": return r.latency().p50();
                case "p99Ms": return r.latency().p99();
                case "p999Ms": return r.latency().p999();
                case "maxMs": return r.latency().max();
                default: break;
            }
        }
        return r.figure(metric);
    }

    private static double median(List<Report> runs, String target, String metric) {
        List<Double> v = new ArrayList<>();
        for (Report r : runs) {
            if (r.target().equals(target)) {
                double x = value(r, metric);
                if (Double.isFinite(x)) {
                    v.add(x);
                }
            }
        }
        if (v.isEmpty()) {
            return Double.NaN;
        }
        v.sort(Double::compare);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
    }
}
