package dev.parley.client;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ServerFrame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The part of a connection that the outbox needs: send a frame and wait for its answer. {@link ServerLink}
 * is the real one; tests drive the outbox with a recording link and answer frames by hand.
 */
interface RequestLink {

    /** A fresh correlation id for a request frame. */
    String newId();

    /** Sends {@code frame}; completes with the answer carrying its id, or exceptionally (timeout, closed). */
    CompletableFuture<ServerFrame> request(ClientFrame frame, Duration timeout);

    /** Whether the link still looks usable. */
    boolean isOpen();

    /** Drops the link (for example because a request was never answered); the client reconnects. */
    void abort(String reason);
}
