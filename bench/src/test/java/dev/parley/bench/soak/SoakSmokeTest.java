package dev.parley.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench soak} for twenty seconds on three in-process nodes (PostgreSQL, a private Redis, HAProxy
 * when installed): the run crashes a node and Redis on schedule, and its report adds up — every
 * acknowledged message checked in every member's view, none lost or duplicated. Needs PostgreSQL on
 * 127.0.0.1:5432 and {@code redis-server}; skipped without them, failed under {@code CI=true}.
 */
class SoakSmokeTest {
    static final String PG = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    @TempDir
    Path dir;

    /** PostgreSQL on 127.0.0.1:5432 and {@code redis-server}: the test skips without them, or fails under CI=true. */
    static void requirePostgresAndRedis() {
        require(PrivateRedis.installed(), "redis-server is not installed");
        boolean pg;
        try (var c = DriverManager.getConnection(PG)) {
            pg = c.isValid(2);
        } catch (Exception e) {
            pg = false;
        }
        require(pg, "PostgreSQL is not reachable at " + PG);
    }

    private static void require(boolean available, String what) {
        if (!available) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(what + " [CI=true: failing instead of skipping]");
            }
            Assumptions.abort(what);
        }
    }

    @Test
    void shortSoakWithANodeCrashAndARedisRestartLosesNothingAndItsCountsAddUp() throws Exception {
        requirePostgresAndRedis();
        SoakRun.Options o = new SoakRun.Options(6, 3, 8, Duration.ofSeconds(20), Duration.ofSeconds(2), 0.3,
                Duration.ofSeconds(2), 0.6, Duration.ofSeconds(2), Duration.ofSeconds(60), 11);
        SoakReport r;
        try (Cluster cluster = Cluster.start(dir, PG, 3, InProcessNode.LAUNCHER, Haproxy.installed())) {
            r = new SoakRun(cluster, System.out).run(o);
        }
        System.out.print(r.text());

        assertThat(r.events()).anyMatch(e -> e.contains("killed")).anyMatch(e -> e.contains("started again"))
                .anyMatch(e -> e.contains("Redis killed")).anyMatch(e -> e.contains("Redis started again"));
        assertThat(r.sends()).isPositive().isEqualTo(r.acked());
        assertThat(r.unacked()).isZero();
        assertThat(r.storedEntries()).isEqualTo(r.acked());
        assertThat(r.groups()).isEqualTo(2);
        assertThat(r.directs()).isEqualTo(6);
        assertThat(r.memberViews()).isEqualTo(2 * 3 + 6 * 2);
        assertThat(r.lost()).isZero();
        assertThat(r.gaps()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.inconsistent()).isZero();
        assertThat(r.forcedDrops()).isPositive();
        assertThat(r.welcomes()).isGreaterThan(6);
        assertThat(r.ackLatency().count()).isEqualTo(r.acked());
        assertThat(r.passed()).isTrue();
        assertThat(r.text()).contains("PASS");
    }

    @Test
    void reportFailsWhenAnAcknowledgedMessageIsMissing() {
        SoakReport lost = new SoakReport("c", 1, "t", 1, 1, 2, 0, 1, 1, java.util.List.of(), 3, 3, 0, 3, 2, 6, 1, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, dev.parley.bench.report.Percentiles.of(new org.HdrHistogram.Histogram(3)),
                dev.parley.bench.report.Percentiles.of(new org.HdrHistogram.Histogram(3)), Map.of(), Map.of(), Map.of(),
                java.util.List.of(), java.util.List.of());
        assertThat(lost.passed()).isFalse();
        assertThat(lost.text()).contains("LOST 1", "FAIL");
    }
}
