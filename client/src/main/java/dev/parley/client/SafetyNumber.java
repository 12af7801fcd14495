package dev.parley.client;

/**
 * The human-readable form of an MLS epoch authenticator (RFC 9420 §8.7) that two members compare to
 * verify each other: 30 decimal digits in six groups of five. It is a fixed encoding of the
 * authenticator's bytes, not a new derivation: the first 30 bytes are read as six big-endian 40-bit
 * integers, and each is written as its value modulo 100000, zero-padded to five digits. The web client
 * renders it the same way ({@code web/js/e2ee/safety-number.js}); docs/e2ee.md, "Verifying a contact".
 */
public final class SafetyNumber {

    /** Digit groups in a safety number. */
    public static final int GROUPS = 6;
    /** Authenticator bytes read per group. */
    private static final int BYTES_PER_GROUP = 5;

    private SafetyNumber() {}

    /**
     * The 30 digits, grouped by five and separated by single spaces.
     *
     * @throws IllegalArgumentException if the authenticator is shorter than 30 bytes (every MLS cipher
     *                                  suite's hash is at least 32)
     */
    public static String of(byte[] authenticator) {
        if (authenticator.length < GROUPS * BYTES_PER_GROUP) {
            throw new IllegalArgumentException("epoch authenticator too short: " + authenticator.length + " bytes");
        }
        StringBuilder out = new StringBuilder(GROUPS * 6);
        for (int g = 0; g < GROUPS; g++) {
            long value = 0;
            for (int i = 0; i < BYTES_PER_GROUP; i++) {
                value = (value << 8) | (authenticator[g * BYTES_PER_GROUP + i] & 0xff);
            }
            if (g > 0) out.append(' ');
            out.append(String.format("%05d", value % 100_000));
        }
        return out.toString();
    }
}
