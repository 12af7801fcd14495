package dev.parley.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly random time in
 * {@code [0, min(cap, base * 2^n))}. Full jitter spreads reconnecting clients out after a server restart
 * instead of having them all knock at once. {@link #reset()} after a success starts again from {@code base}.
 *
 * <p>Not thread-safe; the connection loop owns one.
 */
public final class Backoff {
    private final long baseMs;
    private final long capMs;
    private final RandomGenerator random;
    private int attempt;

    /**
     * @param base   the ceiling of the first delay (must be positive)
     * @param cap    the largest ceiling any delay may have (at least {@code base})
     * @param random the source of jitter; pass a seeded one in tests
     */
    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.baseMs = base.toMillis();
        this.capMs = cap.toMillis();
        this.random = Objects.requireNonNull(random, "random");
        if (baseMs < 1) {
            throw new IllegalArgumentException("base must be at least 1 ms");
        }
        if (capMs < baseMs) {
            throw new IllegalArgumentException("cap must not be below base");
        }
    }

    /** The ceiling of the next delay, without jitter: {@code min(cap, base * 2^attempt)}. */
    public long ceilingMs() {
        // base * 2^attempt, saturating long before overflow.
        int shift = Math.min(attempt, 40);
        long ceiling = baseMs << shift;
        return ceiling <= 0 || ceiling > capMs ? capMs : ceiling;
    }

    /** Draws the delay before the next attempt and counts one more failure. */
    public Duration next() {
        long ceiling = ceilingMs();
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        return Duration.ofMillis(random.nextLong(ceiling + 1));
    }

    /** Consecutive failures so far. */
    public int attempts() {
        return attempt;
    }

    /** Forgets past failures: the next delay is drawn from {@code [0, base]} again. */
    public void reset() {
        attempt = 0;
    }
}
