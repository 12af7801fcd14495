package dev.parley.server.gateway;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in one HTTP/1.1 connection's Netty pipeline, after the HTTP decoder, and watches the decoded
 * request heads and bodies go by. It
 * <ul>
 *   <li>charges the connection to its client address when the first request head arrives (the head can
 *       name the real client behind a trusted proxy), answering 429 with {@code Retry-After} and closing
 *       when the address is over its rate or cap;</li>
 *   <li>closes a connection whose request head is not complete within the header timeout of the
 *       connection opening or of its last response ending (slowloris, and idle keep-alive);</li>
 *   <li>closes a connection whose request body goes silent for the body idle timeout, counting only gaps
 *       the client caused: while the server has paused reading (back-pressure) the clock does not run.</li>
 * </ul>
 * Once the connection becomes a WebSocket (its {@code 101} goes out) it leaves the pipeline, handing the
 * address count to a listener on the channel's close (WebSocket liveness is the gateway's pings).
 * All of it runs on the connection's event loop.
 */
final class HttpConnectionGuard extends ChannelDuplexHandler {
    static final String NAME = "parleyConnectionGuard";
    private static final Logger log = LoggerFactory.getLogger(HttpConnectionGuard.class);

    private enum Phase {
        /** Waiting for a request head (new connection, or keep-alive between requests). */
        HEAD,
        /** Reading a request body. */
        BODY,
        /** The request is in; the server is answering (no client clock runs). */
        ANSWERING,
        /** Upgraded: not HTTP any more. */
        WEBSOCKET,
        /** Refused for its address: the 429 is on its way, the connection closes after it. */
        REFUSED
    }

    private final AddressLimits limits;
    private final ClientAddresses addresses;
    private final SocketAddress peer;
    private final String peerKey;
    private final long headerTimeoutNanos;
    private final long bodyIdleNanos;
    private Phase phase = Phase.HEAD;
    private long headStartedNanos;
    private long lastBodyReadNanos;
    /** Requests whose response has not ended yet. */
    private int answering;
    /** The address this connection is counted under once admitted; null before. */
    private String clientKey;
    private boolean pendingHeld;
    private boolean released;
    private ScheduledFuture<?> timer;

    HttpConnectionGuard(AddressLimits limits, ClientAddresses addresses, SocketAddress peer, boolean pendingHeld,
                        long headerTimeoutMs, long bodyIdleTimeoutMs) {
        this.limits = limits;
        this.addresses = addresses;
        this.peer = peer;
        this.peerKey = addresses.keyOf(peer, null);
        this.pendingHeld = pendingHeld;
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMs);
        this.bodyIdleNanos = TimeUnit.MILLISECONDS.toNanos(bodyIdleTimeoutMs);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        headStartedNanos = System.nanoTime();
        schedule(ctx, headerTimeoutNanos);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (phase) {
            case WEBSOCKET -> {
                ctx.fireChannelRead(msg);
                return;
            }
            case REFUSED -> {
                ReferenceCountUtil.release(msg);
                return;
            }
            default -> {
            }
        }
        if (msg instanceof HttpRequest request) {
            if (clientKey == null && !admit(ctx, request)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            answering++;
            phase = Phase.BODY;
            lastBodyReadNanos = System.nanoTime();
        }
        if (msg instanceof HttpContent) {
            lastBodyReadNanos = System.nanoTime();
        }
        if (msg instanceof LastHttpContent && phase == Phase.BODY) {
            phase = Phase.ANSWERING;
            if (answering == 0) {
                startHead(ctx);
            }
        } else if (phase == Phase.BODY && msg instanceof HttpRequest) {
            schedule(ctx, bodyIdleNanos);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (phase != Phase.WEBSOCKET && phase != Phase.REFUSED) {
            if (msg instanceof HttpResponse response && response.status().code() == 101) {
                phase = Phase.WEBSOCKET;
                cancelTimer();
                ctx.write(msg, promise);
                stepAside(ctx);
                return;
            } else if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse r && r.status().code() < 200)) {
                answering = Math.max(0, answering - 1);
                if (answering == 0 && phase == Phase.ANSWERING) {
                    startHead(ctx);
                }
            }
        }
        ctx.write(msg, promise);
    }

    /**
     * The connection is a WebSocket now: nothing left to time or watch, so the guard leaves the pipeline, and a
     * listener on the channel's close gives the address its connection back. An idle socket then holds no guard,
     * only that listener (none at all when no per-address limit is on).
     */
    private void stepAside(ChannelHandlerContext ctx) {
        if (!released) {
            released = true;
            if (pendingHeld) {
                limits.releasePending(peerKey);
                pendingHeld = false;
            }
            if (clientKey != null && limits.enabled()) {
                ctx.channel().closeFuture().addListener(new ReleaseOnClose(limits, clientKey));
            }
        }
        ctx.pipeline().remove(this);
    }

    /** Gives a WebSocket's connection back to its address when the channel closes. */
    private record ReleaseOnClose(AddressLimits limits, String clientKey) implements ChannelFutureListener {
        @Override
        public void operationComplete(ChannelFuture future) {
            limits.release(clientKey);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseCounts();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseCounts();
    }

    private boolean admit(ChannelHandlerContext ctx, HttpRequest request) {
        if (pendingHeld) {
            limits.releasePending(peerKey);
            pendingHeld = false;
        }
        MultiMap headers = HttpHeaders.headers();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.add(h.getKey(), h.getValue());
        }
        String key = addresses.keyOf(peer, headers);
        long retryAfterMs = limits.enabled() ? limits.admit(key) : 0;
        if (retryAfterMs == 0) {
            clientKey = key;
            return true;
        }
        log.info("connection refused: address over its connection rate or cap (retry after {} ms)", retryAfterMs);
        phase = Phase.REFUSED;
        cancelTimer();
        FullHttpResponse refusal = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.TOO_MANY_REQUESTS, Unpooled.wrappedBuffer(Json.encodeBytes(new Http.ErrorBody(
                new Http.ErrorDetail(ErrorCode.RATE_LIMITED, "too many connections from this address",
                        retryAfterMs)))));
        refusal.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, refusal.content().readableBytes())
                .set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, (retryAfterMs + 999) / 1000)))
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Closed from here, not from the channel: Vert.x's handler would hold the close for a grace period.
        ctx.writeAndFlush(refusal).addListener(f -> ctx.close());
        return false;
    }

    private void startHead(ChannelHandlerContext ctx) {
        phase = Phase.HEAD;
        headStartedNanos = System.nanoTime();
        schedule(ctx, headerTimeoutNanos);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        cancelTimer();
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        long now = System.nanoTime();
        switch (phase) {
            case HEAD -> {
                long left = headStartedNanos + headerTimeoutNanos - now;
                if (left > 0) {
                    schedule(ctx, left);
                } else {
                    log.debug("closing connection: no complete request head within the header timeout");
                    ctx.close();
                }
            }
            case BODY -> {
                if (!ctx.channel().config().isAutoRead()) {
                    // The server paused reading (back-pressure): the silence is ours, not the client's.
                    lastBodyReadNanos = now;
                }
                long left = lastBodyReadNanos + bodyIdleNanos - now;
                if (left > 0) {
                    schedule(ctx, left);
                } else {
                    log.debug("closing connection: request body idle past the body idle timeout");
                    ctx.close();
                }
            }
            default -> {
                // ANSWERING: the server's turn; WEBSOCKET and REFUSED: not watched.
            }
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void releaseCounts() {
        if (released) {
            return;
        }
        released = true;
        if (pendingHeld) {
            limits.releasePending(peerKey);
            pendingHeld = false;
        }
        if (clientKey != null) {
            limits.release(clientKey);
        }
    }
}
