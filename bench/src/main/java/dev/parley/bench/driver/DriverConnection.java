package dev.parley.bench.driver;

import io.vertx.core.Context;
import io.vertx.core.Future;

/** One open client connection of a driver (one WebSocket, one MQTT session). */
public interface DriverConnection {

    /** The event-loop context the connection lives on: call {@link #send} and {@link #catchUp} on it. */
    Context context();

    /** Sends {@code body} to the connection's conversation/topic; {@code token} comes back in the ack. */
    void send(String body, long token);

    /**
     * Fetches what the connection missed while away. Parley: {@code sync} pages from {@code afterSeq};
     * MQTT: nothing to do (a persistent session is replayed by the broker on connect).
     */
    void catchUp(long afterSeq);

    /** The highest conversation {@code seq} this connection has seen (0 where the driver has none). */
    long lastSeq();

    /** Closes the connection (a clean close: WebSocket close frame, MQTT DISCONNECT). */
    Future<Void> close();
}
