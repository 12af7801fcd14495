package dev.parley.core;

/**
 * Budgets for the write and read paths other than sends (which {@link Limits} covers): token buckets per
 * user, refilled at {@code perSecond} and holding at most {@code burst}. A client past a budget gets
 * {@code rate_limited} with the time to wait; nothing is stored. {@link #off()} lifts every budget
 * ({@code PARLEY_RATE_LIMITS=off}).
 *
 * @param enabled false = no budget applies (load tests, benchmarks)
 * @param typing  typing frames a user may send (start and stop alike)
 */
public record RateBudgets(boolean enabled, Budget typing) {

    /** One token bucket's shape. */
    public record Budget(double perSecond, int burst) {
        public Budget {
            if (perSecond <= 0 || burst < 1) {
                throw new IllegalArgumentException("a budget needs a positive rate and a burst of at least 1");
            }
        }
    }

    public static RateBudgets defaults() {
        return new RateBudgets(true, new Budget(2, 10));
    }

    public static RateBudgets off() {
        return new RateBudgets(false, defaults().typing());
    }
}
