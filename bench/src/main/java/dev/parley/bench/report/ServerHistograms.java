package dev.parley.bench.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The histograms of a server's {@code /metrics} (Prometheus text), read at the start and at the end of a measured
 * window, so a report can say where a send's time went on the server side: how long it waited for the writer, how
 * long the commit took, how long the hand-off after it. Series of one name with different labels are added up;
 * quantiles are read off the buckets the way Prometheus's {@code histogram_quantile} does (linear within a bucket).
 */
public final class ServerHistograms {
    private static final Pattern BUCKET = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)_bucket\\{([^}]*)} (\\S+)$");
    private static final Pattern LE = Pattern.compile("(?:^|,)le=\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Per histogram name: upper bound (seconds; +Inf last) → cumulative count. */
    private final Map<String, TreeMap<Double, Double>> buckets;

    private ServerHistograms(Map<String, TreeMap<Double, Double>> buckets) {
        this.buckets = buckets;
    }

    /** Reads every histogram in a Prometheus text exposition; other lines are ignored. */
    public static ServerHistograms parse(String exposition) {
        Map<String, TreeMap<Double, Double>> all = new HashMap<>();
        for (String line : exposition.split("\n")) {
            Matcher m = BUCKET.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            Matcher le = LE.matcher(m.group(2));
            if (!le.find()) {
                continue;
            }
            try {
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                double count = Double.parseDouble(m.group(3));
                all.computeIfAbsent(m.group(1), k -> new TreeMap<>()).merge(bound, count, Double::sum);
            } catch (NumberFormatException e) {
                // not a sample this reader understands: skip it
            }
        }
        return new ServerHistograms(all);
    }

    /**
     * The histograms of a Parley server's {@code /metrics}, or empty when they cannot be read (metrics turned
     * off, a token required, the server gone): the report then simply has no server-side figures.
     */
    public static Optional<ServerHistograms> scrape(URI metrics) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(parse(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** What was observed after {@code earlier} was read: each bucket's count minus its count then. */
    public ServerHistograms since(ServerHistograms earlier) {
        Map<String, TreeMap<Double, Double>> diff = new HashMap<>();
        buckets.forEach((name, now) -> {
            TreeMap<Double, Double> before = earlier.buckets.getOrDefault(name, new TreeMap<>());
            TreeMap<Double, Double> d = new TreeMap<>();
            now.forEach((bound, count) -> d.put(bound, Math.max(0, count - before.getOrDefault(bound, 0.0))));
            diff.put(name, d);
        });
        return new ServerHistograms(diff);
    }

    /** Observations of histogram {@code name} (e.g. {@code parley_commit_latency_seconds}); 0 when absent. */
    public long count(String name) {
        TreeMap<Double, Double> b = buckets.get(name);
        return b == null || b.isEmpty() ? 0 : Math.round(b.lastEntry().getValue());
    }

    /**
     * The {@code q} quantile in milliseconds, interpolated within its bucket; the largest finite bound when it falls
     * past it; NaN when nothing was observed.
     */
    public double quantileMs(String name, double q) {
        TreeMap<Double, Double> b = buckets.get(name);
        long n = count(name);
        if (n == 0) {
            return Double.NaN;
        }
        double rank = q * n;
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> e : b.entrySet()) {
            double bound = e.getKey();
            double cumulative = e.getValue();
            if (cumulative >= rank) {
                if (Double.isInfinite(bound)) {
                    return lower * 1000;
                }
                double inBucket = cumulative - below;
                double at = inBucket <= 0 ? bound : lower + (bound - lower) * (rank - below) / inBucket;
                return at * 1000;
            }
            lower = Double.isInfinite(bound) ? lower : bound;
            below = cumulative;
        }
        return lower * 1000;
    }

    /**
     * The share (0–1) of observations above {@code ms}, counted from the largest bucket bound at or below it (so
     * it may count a little more than is over {@code ms} itself); NaN when nothing was observed.
     */
    public double shareAbove(String name, double ms) {
        TreeMap<Double, Double> b = buckets.get(name);
        long n = count(name);
        if (n == 0) {
            return Double.NaN;
        }
        Map.Entry<Double, Double> atOrBelow = b.floorEntry(ms / 1000);
        return 1 - (atOrBelow == null ? 0 : atOrBelow.getValue()) / n;
    }
}
