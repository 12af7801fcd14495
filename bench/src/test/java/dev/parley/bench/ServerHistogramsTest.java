package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.parley.bench.report.ServerHistograms;
import org.junit.jupiter.api.Test;

/** Reading a server's Prometheus histograms and the difference of two scrapes. */
class ServerHistogramsTest {
    /** Two label sets of one histogram (added up), {@code le} in either place, and lines that are not buckets. */
    private static String exposition(double le1ms, double le2ms, double le4ms, double inf) {
        return """
                # HELP parley_commit_latency_seconds commits
                # TYPE parley_commit_latency_seconds histogram
                parley_commit_latency_seconds_bucket{node="a",store="sqlite",le="0.001"} %s
                parley_commit_latency_seconds_bucket{node="a",store="sqlite",le="0.002"} %s
                parley_commit_latency_seconds_bucket{node="a",store="sqlite",le="0.004"} %s
                parley_commit_latency_seconds_bucket{node="a",store="sqlite",le="+Inf"} %s
                parley_commit_latency_seconds_bucket{le="0.001",node="b",store="sqlite"} 1.0
                parley_commit_latency_seconds_bucket{le="0.002",node="b",store="sqlite"} 1.0
                parley_commit_latency_seconds_bucket{le="0.004",node="b",store="sqlite"} 1.0
                parley_commit_latency_seconds_bucket{le="+Inf",node="b",store="sqlite"} 1.0
                parley_commit_latency_seconds_count{node="a",store="sqlite"} %s
                parley_store_queued_writes{node="a"} 3.0
                parley_commit_latency_seconds_bucket{node="a",le="not a number"} 7
                """.formatted(le1ms, le2ms, le4ms, inf, inf);
    }

    @Test
    void countsQuantilesAndSharesOfTheDifference() {
        ServerHistograms before = ServerHistograms.parse(exposition(10, 10, 10, 10));
        // Since then: 80 under 1 ms, 10 in 1–2 ms, 6 in 2–4 ms, 4 over 4 ms.
        ServerHistograms after = ServerHistograms.parse(exposition(90, 100, 106, 110));
        ServerHistograms window = after.since(before);
        String name = "parley_commit_latency_seconds";

        assertThat(after.count(name)).isEqualTo(111); // 110 + node b's 1
        assertThat(window.count(name)).isEqualTo(100);
        assertThat(window.quantileMs(name, 0.5)).isCloseTo(0.625, within(1e-9)); // 50 of 80 in [0, 1 ms]
        assertThat(window.quantileMs(name, 0.9)).isCloseTo(2.0, within(1e-9)); // the 90th ends the 1–2 ms bucket
        assertThat(window.quantileMs(name, 0.93)).isCloseTo(3.0, within(1e-9)); // 3 of 6 in [2, 4 ms]
        assertThat(window.quantileMs(name, 0.99)).isEqualTo(4.0); // past the last finite bound: that bound
        assertThat(window.shareAbove(name, 2)).isCloseTo(0.10, within(1e-9));
        assertThat(window.shareAbove(name, 3)).isCloseTo(0.10, within(1e-9)); // counted from the 2 ms bound
        assertThat(window.shareAbove(name, 4)).isCloseTo(0.04, within(1e-9));
        assertThat(window.shareAbove(name, 0.5)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void anAbsentOrEmptyHistogramHasNoFigures() {
        ServerHistograms h = ServerHistograms.parse(exposition(1, 1, 1, 1));
        ServerHistograms nothingNew = h.since(h);
        assertThat(nothingNew.count("parley_commit_latency_seconds")).isZero();
        assertThat(nothingNew.quantileMs("parley_commit_latency_seconds", 0.99)).isNaN();
        assertThat(h.count("parley_send_durable_latency_seconds")).isZero();
        assertThat(h.shareAbove("parley_send_durable_latency_seconds", 3)).isNaN();
        assertThat(ServerHistograms.parse("").count("parley_commit_latency_seconds")).isZero();
    }
}
