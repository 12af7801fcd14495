package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void ceilingDoublesFromBaseUpToCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1_000), new SplittableRandom(1));
        long[] ceilings = new long[6];
        for (int i = 0; i < ceilings.length; i++) {
            ceilings[i] = b.ceilingMs();
            b.next();
        }
        assertThat(ceilings).containsExactly(100, 200, 400, 800, 1_000, 1_000);
    }

    @Test
    void delaysAreFullJitterWithinTheCeiling() {
        Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofMillis(800), new SplittableRandom(7));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int round = 0; round < 2_000; round++) {
            long ceiling = b.ceilingMs();
            long d = b.next().toMillis();
            assertThat(d).isBetween(0L, ceiling);
            if (ceiling == 800) {
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
        }
        // Full jitter spreads over the whole range, not just near the ceiling.
        assertThat(min).isLessThan(100);
        assertThat(max).isGreaterThan(700);
    }

    @Test
    void resetStartsAgainFromBase() {
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(10), new SplittableRandom(3));
        for (int i = 0; i < 20; i++) {
            b.next();
        }
        assertThat(b.ceilingMs()).isEqualTo(10_000);
        b.reset();
        assertThat(b.attempts()).isZero();
        assertThat(b.ceilingMs()).isEqualTo(10);
        assertThat(b.next().toMillis()).isBetween(0L, 10L);
    }

    @Test
    void manyFailuresNeverOverflow() {
        Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofHours(1), new SplittableRandom(5));
        for (int i = 0; i < 10_000; i++) {
            assertThat(b.next().toMillis()).isBetween(0L, 3_600_000L);
        }
    }

    @Test
    void sameSeedSameDelays() {
        Backoff a = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(42));
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(42));
        for (int i = 0; i < 50; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
