package dev.parley.core.port;

/**
 * Token buckets keyed by a string (for example {@code send:<userId>}). Shared across nodes by
 * implementations on a shared engine.
 */
public interface RateLimiter {

    /**
     * Takes one token from the bucket {@code key} holding at most {@code burst} tokens, refilled at
     * {@code perSecond}.
     *
     * @return 0 if a token was taken, otherwise how many milliseconds until one will be available
     */
    long tryAcquire(String key, double perSecond, int burst);

    /** How long until a token is available, without taking one (0 if one is there now). */
    long peek(String key, double perSecond, int burst);
}
