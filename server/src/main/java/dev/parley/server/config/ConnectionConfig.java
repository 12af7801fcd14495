package dev.parley.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the node treats connections before and after they authenticate: liveness (pings), time limits
 * for sockets and HTTP requests that say nothing, how much may wait unread for one socket, and caps per
 * client address. Read from the {@code connections:} section of the YAML file, then the environment
 * (later wins); bound by {@link ConfigLoader}. Every value is documented in {@code docs/security.md} ("Connections").
 *
 * @param helloTimeoutMs           a WebSocket that has not sent {@code hello} within this is closed (4401)
 * @param pingIntervalMs           a WebSocket the server has heard nothing from for this long is sent a ping
 * @param pongTimeoutMs            after that ping, a socket that stays silent this long is closed (4408) and its
 *                                 user goes offline
 * @param httpHeaderTimeoutMs      an HTTP connection must deliver a complete request head within this of opening
 *                                 or of its previous response ending (slow headers, idle keep-alive); then it is
 *                                 closed
 * @param httpBodyIdleTimeoutMs    a request body that delivers no byte for this long is cut off (idle gaps only:
 *                                 a slow but steady upload is never cut)
 * @param maxQueuedBytesPerSocket  bytes (replies and events) that may wait unsent for one WebSocket; past it the
 *                                 socket is closed with 1008 and its pending commands are dropped
 * @param maxConnectionsPerAddress open connections (WebSocket and HTTP) one client address may hold on this node;
 *                                 0 = no cap
 * @param newConnectionsPerSecond  sustained rate of new connections per client address; 0 = no rate
 * @param newConnectionsBurst      new connections one address may open at once before the rate applies
 * @param eventLoops               event loops (threads) that serve the node's connections, each with its sockets;
 *                                 0 = the default ({@link #defaultEventLoops()})
 */
public record ConnectionConfig(long helloTimeoutMs, long pingIntervalMs, long pongTimeoutMs,
                               long httpHeaderTimeoutMs, long httpBodyIdleTimeoutMs,
                               @JsonProperty("maxQueuedBytes") long maxQueuedBytesPerSocket,
                               @JsonProperty("maxPerAddress") int maxConnectionsPerAddress,
                               @JsonProperty("newPerSecond") double newConnectionsPerSecond,
                               @JsonProperty("newBurst") int newConnectionsBurst,
                               int eventLoops) {

    public ConnectionConfig {
        if (helloTimeoutMs < 100 || pingIntervalMs < 100 || pongTimeoutMs < 100 || httpHeaderTimeoutMs < 100
                || httpBodyIdleTimeoutMs < 100) {
            throw new IllegalArgumentException("connections: timeouts and intervals must be at least 100 ms: " + this);
        }
        if (maxQueuedBytesPerSocket < 64 * 1024) {
            throw new IllegalArgumentException("connections.maxQueuedBytes must be at least 65536");
        }
        if (maxConnectionsPerAddress < 0 || newConnectionsPerSecond < 0 || newConnectionsBurst < 0
                || newConnectionsPerSecond > 0 && newConnectionsBurst < 1) {
            throw new IllegalArgumentException("connections: per-address caps must be 0 (off) or positive, and the"
                    + " burst at least 1 when a rate is set: " + this);
        }
        if (eventLoops < 0 || eventLoops > 1024) {
            throw new IllegalArgumentException("connections.eventLoops must be 0 (the default) or 1 to 1024: "
                    + eventLoops);
        }
    }

    /** The settings with the default number of event loops. */
    public ConnectionConfig(long helloTimeoutMs, long pingIntervalMs, long pongTimeoutMs, long httpHeaderTimeoutMs,
                            long httpBodyIdleTimeoutMs, long maxQueuedBytesPerSocket, int maxConnectionsPerAddress,
                            double newConnectionsPerSecond, int newConnectionsBurst) {
        this(helloTimeoutMs, pingIntervalMs, pongTimeoutMs, httpHeaderTimeoutMs, httpBodyIdleTimeoutMs,
                maxQueuedBytesPerSocket, maxConnectionsPerAddress, newConnectionsPerSecond, newConnectionsBurst, 0);
    }

    public static ConnectionConfig defaults() {
        return new ConnectionConfig(10_000, 25_000, 20_000, 15_000, 30_000, 8L * 1024 * 1024, 512, 60, 120, 0);
    }

    /** The event loops to run: {@link #eventLoops} when set, else {@link #defaultEventLoops()}. */
    public int eventLoopsToRun() {
        return eventLoops > 0 ? eventLoops : defaultEventLoops();
    }

    /**
     * The default number of event loops: one per core, at least two (Vert.x's own default is two per core). A
     * message to a group wakes every loop that holds one of its members, so fewer loops cost less CPU per delivery:
     * in alternating pairs on a 2-core node one per core was cheaper in every pair, by 6-11 % at 10k and 40k
     * deliveries/s, over two sessions; its tail was no worse once a scrape of {@code /metrics} no longer held a loop,
     * and a reconnect storm of 10,000 clients caught up as fast (docs/performance.md, "Ninth session").
     */
    public static int defaultEventLoops() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** The same settings with every per-address cap lifted ({@code PARLEY_RATE_LIMITS=off}). */
    public ConnectionConfig withoutLimits() {
        return new ConnectionConfig(helloTimeoutMs, pingIntervalMs, pongTimeoutMs, httpHeaderTimeoutMs,
                httpBodyIdleTimeoutMs, maxQueuedBytesPerSocket, 0, 0, 0, eventLoops);
    }

    /** The same settings with other per-address caps (0 = off). */
    public ConnectionConfig withAddressLimits(int maxPerAddress, double newPerSecond, int newBurst) {
        return new ConnectionConfig(helloTimeoutMs, pingIntervalMs, pongTimeoutMs, httpHeaderTimeoutMs,
                httpBodyIdleTimeoutMs, maxQueuedBytesPerSocket, maxPerAddress, newPerSecond, newBurst, eventLoops);
    }

    /** The same settings with other WebSocket liveness timings. */
    public ConnectionConfig withLiveness(long newHelloTimeoutMs, long newPingIntervalMs, long newPongTimeoutMs) {
        return new ConnectionConfig(newHelloTimeoutMs, newPingIntervalMs, newPongTimeoutMs, httpHeaderTimeoutMs,
                httpBodyIdleTimeoutMs, maxQueuedBytesPerSocket, maxConnectionsPerAddress, newConnectionsPerSecond,
                newConnectionsBurst, eventLoops);
    }

    /** The same settings with other HTTP read timeouts. */
    public ConnectionConfig withHttpTimeouts(long headerTimeoutMs, long bodyIdleTimeoutMs) {
        return new ConnectionConfig(helloTimeoutMs, pingIntervalMs, pongTimeoutMs, headerTimeoutMs, bodyIdleTimeoutMs,
                maxQueuedBytesPerSocket, maxConnectionsPerAddress, newConnectionsPerSecond, newConnectionsBurst,
                eventLoops);
    }

    /** The same settings with another number of event loops (0 = the default). */
    public ConnectionConfig withEventLoops(int loops) {
        return new ConnectionConfig(helloTimeoutMs, pingIntervalMs, pongTimeoutMs, httpHeaderTimeoutMs,
                httpBodyIdleTimeoutMs, maxQueuedBytesPerSocket, maxConnectionsPerAddress, newConnectionsPerSecond,
                newConnectionsBurst, loops);
    }

    /** The same settings with another outbound bound per socket. */
    public ConnectionConfig withMaxQueuedBytesPerSocket(long bytes) {
        return new ConnectionConfig(helloTimeoutMs, pingIntervalMs, pongTimeoutMs, httpHeaderTimeoutMs,
                httpBodyIdleTimeoutMs, bytes, maxConnectionsPerAddress, newConnectionsPerSecond, newConnectionsBurst,
                eventLoops);
    }
}
