package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.RateLimiter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

    @Test
    void aRefundGivesBackTheTokenJustTaken() {
        String k = key();
        assertThat(limiter.tryAcquire(k, 1, 2)).isZero();
        assertThat(limiter.tryAcquire(k, 1, 2)).isZero();
        assertThat(limiter.tryAcquire(k, 1, 2)).isPositive();

        peer.refund(k, 1, 2);

        assertThat(limiter.tryAcquire(k, 1, 2)).as("the refunded token, on the other node").isZero();
        assertThat(limiter.tryAcquire(k, 1, 2)).isPositive();
    }

    @Test
    void aRefundNeverFillsABucketPastItsBurst() {
        String k = key();
        limiter.refund(k, 1, 3);
        limiter.refund(k, 1, 3);
        assertThat(limiter.tryAcquire(k, 1, 3)).isZero();
        limiter.refund(k, 1, 3);
        limiter.refund(k, 1, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(k, 1, 3)).as("token %d", i).isZero();
        }
        assertThat(limiter.tryAcquire(k, 1, 3)).isPositive();
    }

    @Test
    void concurrentTakersNeverGetMoreThanTheBurst() throws Exception {
        String k = key();
        int burst = 7;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                RateLimiter node = i % 2 == 0 ? limiter : peer;
                calls.add(() -> node.tryAcquire(k, 0.001, burst));
            }
            int taken = 0;
            for (Future<Long> f : pool.invokeAll(calls, 30, TimeUnit.SECONDS)) {
                if (f.get() == 0) {
                    taken++;
                }
            }
            assertThat(taken).isEqualTo(burst);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tryAcquireOrFailTakesFromTheSameBucket() {
        String k = key();
        assertThat(limiter.tryAcquireOrFail(k, 1, 2)).isZero();
        assertThat(peer.tryAcquire(k, 1, 2)).isZero();
        assertThat(limiter.tryAcquireOrFail(k, 1, 2)).isBetween(1L, 1000L);
        peer.refund(k, 1, 2);
        assertThat(limiter.tryAcquireOrFail(k, 1, 2)).isZero();
        assertThat(limiter.tryAcquireOrFail(k, 0, 1)).as("no limit").isZero();
    }
}
