package dev.parley.core;

/**
 * The limits the core enforces on what clients send. Validated once at start-up.
 *
 * @param sendPerSecond sustained sends (any entry-creating command) per user per second; 0 = no limit
 * @param sendBurst     how many sends a user may make at once before the rate applies
 */
public record Limits(int maxBodyBytes, int maxHandleLength, int minPasswordLength, int maxPasswordLength,
                     int maxTitleLength, int maxDisplayNameLength, int maxMembers, int maxPageSize,
                     double sendPerSecond, int sendBurst, int signInFailuresPerMinute, long typingTimeoutMs) {

    public Limits {
        if (maxBodyBytes < 1 || maxHandleLength < 3 || minPasswordLength < 1 || maxPasswordLength < minPasswordLength
                || maxTitleLength < 1 || maxMembers < 2 || maxPageSize < 1 || sendPerSecond < 0 || sendBurst < 1
                || signInFailuresPerMinute < 1 || typingTimeoutMs < 100) {
            throw new IllegalArgumentException("invalid limits: " + this);
        }
    }

    /** Sensible limits for people: 64 KiB bodies, 10 sends/s with a burst of 30. */
    public static Limits defaults() {
        return new Limits(64 * 1024, 32, 8, 256, 128, 64, 1000, 500, 10, 30, 10, 6000);
    }

    public Limits withSendRate(double perSecond) {
        return new Limits(maxBodyBytes, maxHandleLength, minPasswordLength, maxPasswordLength, maxTitleLength,
                maxDisplayNameLength, maxMembers, maxPageSize, perSecond, sendBurst, signInFailuresPerMinute,
                typingTimeoutMs);
    }
}
