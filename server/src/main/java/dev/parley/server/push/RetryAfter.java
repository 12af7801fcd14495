package dev.parley.server.push;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Reads a push service's {@code Retry-After}: seconds, or an HTTP date. */
public final class RetryAfter {
    private RetryAfter() {
    }

    /** Milliseconds to wait for a {@code Retry-After} value, or 0 when it is absent (null) or unreadable. */
    public static long millis(String v) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(v.strip()) * 1000);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
            } catch (RuntimeException unreadable) {
                return 0;
            }
        }
    }
}
