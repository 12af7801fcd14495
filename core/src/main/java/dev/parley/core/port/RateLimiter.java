package dev.parley.core.port;

/**
 * Token buckets keyed by a string (for example {@code send:<userId>}). Shared across nodes by
 * implementations on a shared engine.
 *
 * <p>Each call is atomic on its bucket: concurrent {@link #tryAcquire} calls from any number of threads or
 * nodes never take more tokens than the bucket holds. To throttle something whose cost is only known
 * afterwards (a sign-in that may turn out to be right), take a token first and {@link #refund} it when the
 * attempt should not count; never {@link #peek} and charge later, which lets concurrent callers all pass the
 * check before any of them is charged.
 */
public interface RateLimiter {

    /**
     * Takes one token from the bucket {@code key} holding at most {@code burst} tokens, refilled at
     * {@code perSecond}. A rate of 0 or less means no limit (always 0, nothing stored).
     *
     * @return 0 if a token was taken, otherwise how many milliseconds until one will be available
     */
    long tryAcquire(String key, double perSecond, int burst);

    /**
     * Like {@link #tryAcquire}, but when the shared engine cannot answer (down, or too slow to answer in
     * time) it throws {@link Unavailable} instead of letting the call through. For throttles that guard a
     * secret, such as password guessing, where failing open would give an attacker unthrottled guesses for as
     * long as the engine is unreachable (or can be made slow). A single-process limiter never throws.
     *
     * @return 0 if a token was taken, otherwise how many milliseconds until one will be available
     * @throws Unavailable if the engine could not be asked; nothing was taken
     */
    long tryAcquireOrFail(String key, double perSecond, int burst);

    /** The limiter's engine could not answer, so no decision was made. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * How long until a token is available, without taking one (0 if one is there now). Advisory only: the
     * answer may be stale by the time the caller acts on it (see the class comment).
     */
    long peek(String key, double perSecond, int burst);

    /**
     * Gives back one token taken by {@link #tryAcquire} with the same {@code perSecond} and {@code burst}, for
     * an attempt that turned out not to count. Atomic with concurrent {@code tryAcquire} calls; never fills a
     * bucket past {@code burst}; a bucket that is already full (or was dropped as full) stays as it is.
     */
    void refund(String key, double perSecond, int burst);

    /**
     * Whether every call answers from this process's memory, never waiting on a network or a disk, so a
     * caller on an event loop may use it. False unless an implementation says otherwise.
     */
    default boolean inMemory() {
        return false;
    }
}
