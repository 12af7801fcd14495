package dev.parley.core;

/**
 * How accounts and sessions are protected beyond the input {@link Limits}: how many accounts one client
 * address may create, whether failed sign-ins are throttled, and how long an unused session lives.
 *
 * @param signUpsPerHourPerAddress accounts one client address may create per hour, all at once or spread out
 *                                 (the bucket holds an hour's worth); 0 = no limit
 * @param throttleSignIns          whether failed sign-ins are throttled per handle and per address
 *                                 ({@link Limits#signInFailuresPerMinute()}); off only for load tests
 * @param sessionTtlMs             a session not used for this long has expired: its token gets 401
 */
public record AccountPolicy(int signUpsPerHourPerAddress, boolean throttleSignIns, long sessionTtlMs) {
    /** Last use is written at most this often per device (and at least four times per lifetime). */
    private static final long MAX_WRITE_INTERVAL_MS = 3_600_000;

    public AccountPolicy {
        if (signUpsPerHourPerAddress < 0 || sessionTtlMs < 1_000) {
            throw new IllegalArgumentException("invalid account policy: " + this);
        }
    }

    /** 20 sign-ups per address per hour, sign-ins throttled, sessions expire after 30 idle days. */
    public static AccountPolicy defaults() {
        return new AccountPolicy(20, true, 30L * 24 * 3600 * 1000);
    }

    /**
     * How stale a device's recorded last use may get before a use writes it again: an hour, or a quarter
     * of the lifetime when that is shorter, so a session in use never expires for want of a write.
     */
    public long lastUseWriteIntervalMs() {
        return Math.min(MAX_WRITE_INTERVAL_MS, sessionTtlMs / 4);
    }
}
