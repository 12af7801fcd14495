package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.RateLimiter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RateLimiter} adapter guarantees. Time comes from a clock the test moves by hand;
 * {@link #newLimiter} is called twice (two nodes on one engine; a single-process limiter may return the
 * same instance) to check that buckets are shared.
 */
public abstract class RateLimiterContract {
    protected final AtomicLong nowMs = new AtomicLong(1_700_000_000_000L);
    protected final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(nowMs.get());
        }

        @Override
        public long millis() {
            return nowMs.get();
        }
    };
    protected RateLimiter limiter;
    protected RateLimiter peer;

    /** A limiter on the shared engine reading time from {@code clock}. */
    protected abstract RateLimiter newLimiter(Clock clock) throws Exception;

    @BeforeEach
    void open() throws Exception {
        limiter = newLimiter(clock);
        peer = newLimiter(clock);
    }

    protected static String key() {
        return "send:usr_" + UUID.randomUUID();
    }

    @Test
    void aFullBucketAllowsABurstThenSaysHowLongToWait() {
        String k = key();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(k, 2, 5)).as("token %d", i).isZero();
        }
        long wait = limiter.tryAcquire(k, 2, 5);
        assertThat(wait).isBetween(1L, 500L);
    }

    @Test
    void tokensComeBackAtTheConfiguredRate() {
        String k = key();
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire(k, 10, 3);
        }
        assertThat(limiter.tryAcquire(k, 10, 3)).isPositive();
        nowMs.addAndGet(100);
        assertThat(limiter.tryAcquire(k, 10, 3)).isZero();
        assertThat(limiter.tryAcquire(k, 10, 3)).isPositive();
        nowMs.addAndGet(10_000);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(k, 10, 3)).isZero();
        }
        assertThat(limiter.tryAcquire(k, 10, 3)).isPositive();
    }

    @Test
    void peekTakesNothing() {
        String k = key();
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.peek(k, 1, 1)).isZero();
        }
        assertThat(limiter.tryAcquire(k, 1, 1)).isZero();
        assertThat(limiter.peek(k, 1, 1)).isBetween(1L, 1000L);
    }

    @Test
    void aRateOfZeroMeansNoLimit() {
        String k = key();
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire(k, 0, 1)).isZero();
        }
    }

    @Test
    void bucketsAreIndependentPerKeyAndSharedAcrossNodes() {
        String a = key();
        String b = key();
        assertThat(limiter.tryAcquire(a, 1, 2)).isZero();
        assertThat(peer.tryAcquire(a, 1, 2)).isZero();
        assertThat(limiter.tryAcquire(a, 1, 2)).isPositive();
        assertThat(peer.tryAcquire(a, 1, 2)).isPositive();
        assertThat(peer.tryAcquire(b, 1, 2)).isZero();
    }
}
