package dev.parley.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one scenario run against one target: what was asked (parameters), what was measured
 * (figures), latency summaries, the latency distribution and a per-second timeline. Serialized as the
 * JSON report and rendered by {@link HtmlReport}.
 */
public record Report(String scenario, String target, String targetDescription, String startedAt,
                     Map<String, Object> parameters, Map<String, Object> figures, Percentiles latency,
                     Percentiles ackLatency, List<double[]> latencyCurve, List<TimePoint> timeline,
                     List<Chart> charts, List<String> notes) {

    /** An extra line chart specific to a scenario (e.g. server memory against open connections). */
    public record Chart(String title, String xLabel, String yLabel, List<double[]> points) {
    }

    public static Builder builder(String scenario, String target, String targetDescription) {
        return new Builder(scenario, target, targetDescription);
    }

    /** A numeric figure, or NaN when absent. */
    public double figure(String name) {
        Object v = figures.get(name);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    public static final class Builder {
        private final String scenario;
        private final String target;
        private final String description;
        private final String startedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        private final Map<String, Object> parameters = new LinkedHashMap<>();
        private final Map<String, Object> figures = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();
        private Percentiles latency;
        private Percentiles ackLatency;
        private List<double[]> curve = List.of();
        private List<TimePoint> timeline = List.of();
        private final List<Chart> charts = new ArrayList<>();

        Builder(String scenario, String target, String description) {
            this.scenario = scenario;
            this.target = target;
            this.description = description;
        }

        public Builder param(String name, Object value) {
            parameters.put(name, value);
            return this;
        }

        public Builder figure(String name, double value) {
            figures.put(name, Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : null);
            return this;
        }

        public Builder figure(String name, long value) {
            figures.put(name, value);
            return this;
        }

        public Builder latency(Percentiles p, List<double[]> curve) {
            this.latency = p;
            this.curve = curve;
            return this;
        }

        public Builder ackLatency(Percentiles p) {
            this.ackLatency = p;
            return this;
        }

        public Builder timeline(List<TimePoint> points) {
            this.timeline = List.copyOf(points);
            return this;
        }

        public Builder chart(String title, String xLabel, String yLabel, List<double[]> points) {
            charts.add(new Chart(title, xLabel, yLabel, List.copyOf(points)));
            return this;
        }

        public Builder note(String note) {
            notes.add(note);
            return this;
        }

        public Report build() {
            return new Report(scenario, target, description, startedAt, parameters, figures, latency, ackLatency,
                    curve, timeline, charts, notes);
        }
    }
}
