package dev.parley.client;

import java.time.Instant;
import java.util.Optional;

/**
 * Where the client's real-time connection stands. Apps typically show a banner for {@link Status#OFFLINE}
 * with the time of the next attempt ("reconnecting in 4 s").
 *
 * @param status      the current status
 * @param nextRetryAt when {@link Status#OFFLINE}: when the next connection attempt starts (null otherwise,
 *                    and null when offline for good, e.g. after {@link ParleyClient#close()})
 * @param reason      a short, human-readable cause of the last disconnect (null when online)
 */
public record ConnectionState(Status status, Instant nextRetryAt, String reason) {

    /** The three states of the connection. */
    public enum Status {
        /** Opening the socket and authenticating. */
        CONNECTING,
        /** Authenticated; frames flow; the outbox drains and catch-up runs. */
        ONLINE,
        /** No connection; waiting for {@link ConnectionState#nextRetryAt()} (or closed). */
        OFFLINE
    }

    static ConnectionState connecting() {
        return new ConnectionState(Status.CONNECTING, null, null);
    }

    static ConnectionState online() {
        return new ConnectionState(Status.ONLINE, null, null);
    }

    static ConnectionState offline(Instant nextRetryAt, String reason) {
        return new ConnectionState(Status.OFFLINE, nextRetryAt, reason);
    }

    /** The time of the next attempt, when one is planned. */
    public Optional<Instant> retryAt() {
        return Optional.ofNullable(nextRetryAt);
    }

    /** True while authenticated and connected. */
    public boolean isOnline() {
        return status == Status.ONLINE;
    }
}
