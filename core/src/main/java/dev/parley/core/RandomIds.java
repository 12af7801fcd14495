package dev.parley.core;

import dev.parley.core.port.IdGenerator;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Ids that sort by creation time: {@code prefix_} + 10 base32 characters of milliseconds + 16 of
 * randomness (80 bits), so they are unguessable and index well.
 */
public final class RandomIds implements IdGenerator {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public RandomIds(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String newId(String prefix) {
        char[] out = new char[prefix.length() + 1 + 26];
        prefix.getChars(0, prefix.length(), out, 0);
        int p = prefix.length();
        out[p++] = '_';
        long ms = clock.millis();
        for (int i = 9; i >= 0; i--) {
            out[p + i] = ALPHABET[(int) (ms & 31)];
            ms >>>= 5;
        }
        p += 10;
        byte[] bytes = new byte[10];
        random.nextBytes(bytes);
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (bytes[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (bytes[i] & 0xff);
        }
        for (int i = 7; i >= 0; i--) {
            out[p + i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 15; i >= 8; i--) {
            out[p + i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }
}
