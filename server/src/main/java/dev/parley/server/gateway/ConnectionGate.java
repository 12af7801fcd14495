package dev.parley.server.gateway;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every new HTTP connection passes (the HTTP server's connection handler): counts it against its
 * peer while it is silent, and puts an {@link HttpConnectionGuard} in its pipeline for read timeouts and
 * the per-address rate and cap. Vert.x has no public hook for either (its {@code idleTimeout} would also
 * cut quiet WebSockets), hence the one cast to its connection class to reach the Netty pipeline.
 */
public final class ConnectionGate {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final AddressLimits limits;
    private final ClientAddresses addresses;
    private final long headerTimeoutMs;
    private final long bodyIdleTimeoutMs;

    public ConnectionGate(AddressLimits limits, ClientAddresses addresses, long headerTimeoutMs,
                          long bodyIdleTimeoutMs) {
        this.limits = limits;
        this.addresses = addresses;
        this.headerTimeoutMs = headerTimeoutMs;
        this.bodyIdleTimeoutMs = bodyIdleTimeoutMs;
    }

    /** Runs on the connection's event loop, before its first request is handled. */
    public void accept(HttpConnection connection) {
        if (!(connection instanceof HttpServerConnection internal)) {
            // HTTP/2 and anything else: not served by this node today (no TLS, no h2c).
            return;
        }
        ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
        if (pipeline.get("httpDecoder") == null || pipeline.get("handler") == null) {
            return;
        }
        String peerKey = addresses.keyOf(connection.remoteAddress(), null);
        boolean held = false;
        if (limits.enabled()) {
            if (!limits.holdPending(peerKey)) {
                log.info("connection closed: too many silent connections from one peer");
                connection.close();
                return;
            }
            held = true;
        }
        pipeline.addBefore("handler", HttpConnectionGuard.NAME, new HttpConnectionGuard(limits, addresses,
                connection.remoteAddress(), held, headerTimeoutMs, bodyIdleTimeoutMs));
    }

    /** Forgets idle addresses; call now and then. */
    public void sweep() {
        limits.sweep();
    }
}
