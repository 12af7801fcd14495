package dev.parley.client;

/**
 * The delivery state of one of the user's own messages, in the order it advances. Apps draw these as
 * ticks: a clock for {@link #PENDING}, one tick for {@link #SENT}, two for {@link #DELIVERED}, two coloured
 * for {@link #READ}.
 */
public enum Tick {
    /** In the local outbox; not yet acknowledged by the server. */
    PENDING,
    /** Durably stored by the server (it has a {@code seq}). */
    SENT,
    /** Every other member has received it on at least one device. */
    DELIVERED,
    /** Every other member has read it. */
    READ,
    /** The server refused it for good (e.g. no longer a member); it was removed from the outbox. */
    FAILED;

    /** Whether this state is at least as far along as {@code other} (FAILED is never). */
    public boolean atLeast(Tick other) {
        return this != FAILED && other != FAILED && ordinal() >= other.ordinal();
    }
}
