package dev.parley.protocol;

/** Protocol-wide constants. */
public final class Protocol {
    /** The wire protocol version this build speaks; sent in {@code welcome} as {@code protocol}. */
    public static final int VERSION = 1;

    /** WebSocket close code for a rejected or revoked token. */
    public static final short CLOSE_UNAUTHORIZED = 4401;

    /** WebSocket close code for a frame over the size limit. */
    public static final short CLOSE_TOO_BIG = 1009;

    private Protocol() {
    }
}
