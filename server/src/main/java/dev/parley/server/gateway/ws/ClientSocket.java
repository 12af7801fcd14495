package dev.parley.server.gateway.ws;

import java.util.concurrent.Executor;

/**
 * The gateway's view of one client's socket: what {@link WsPeer}, {@link Fanout} and {@link WebSocketGateway}
 * need from a transport, and nothing more, so a recording socket can stand in for the network in unit
 * tests.
 *
 * <p>Contract: {@link #write}, {@link #close} and {@link #writable} may be called from any thread and never
 * block; writes reach the client in call order when made from one thread. Everything a socket calls back
 * into the gateway, and every task given to {@link #schedule} or {@link #loop}, runs on the socket's event
 * loop. Writing to or closing a socket that is already closed does nothing.
 */
public interface ClientSocket {
    /** Queues one text frame for the client. */
    void write(OutFrame frame);

    /**
     * False while more bytes wait to be sent to the client than its outbound bound allows; the caller
     * decides what a slow client costs it.
     */
    boolean writable();

    /**
     * True while more than {@link #HARD_BOUND_FACTOR} times the outbound bound waits unsent: past this a client
     * is closed at once, without the grace a briefly slow one gets.
     */
    boolean pastHardBound();

    /** The hard bound as a multiple of the outbound bound. */
    int HARD_BOUND_FACTOR = 2;

    /** Sends a ping (liveness). */
    void ping();

    /** Starts the closing handshake with {@code code}. */
    void close(CloseCode code, String reason);

    /**
     * Sends the close frame for form's sake and drops the connection at once, without waiting for the
     * peer's answer (a peer that stopped answering would never give one).
     */
    void abandon(CloseCode code, String reason);

    /** Stops reading from the client until {@link #resumeReading()}. */
    void pauseReading();

    void resumeReading();

    /**
     * The event loop that owns this socket; sockets with the same loop return the same executor, so writes
     * to many sockets can be grouped into one task per loop.
     */
    Executor loop();

    /** Runs {@code task} on the socket's loop after {@code delayMs}; returns an action that cancels it. */
    Runnable schedule(long delayMs, Runnable task);

    /**
     * Arms the socket's one liveness timer (hello timeout, pings): {@code check} runs on the socket's loop about
     * {@code delayMs} from now, unless the timer is armed again or disarmed first. It may run somewhat late: a
     * transport may serve the timers of all its sockets on a loop with one periodic sweep. Call on the socket's
     * loop.
     */
    void armTimer(long delayMs, Runnable check);

    /** Disarms the liveness timer if it is armed. Call on the socket's loop. */
    void disarmTimer();
}
