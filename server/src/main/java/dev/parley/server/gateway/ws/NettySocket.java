package dev.parley.server.gateway.ws;

import dev.parley.server.gateway.FlushBatch;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code /v1/ws} connection in its Netty pipeline, after the WebSocket decoder: turns frames into gateway
 * calls and is the connection's {@link ClientSocket}. It holds no queue of its own: frames go straight to
 * the channel unflushed ({@link FlushBatch} flushes once per loop batch), and back-pressure is the channel's
 * writability (its high water mark is the socket's outbound bound).
 *
 * <p>Closing: the server sends its close frame and waits up to {@link #CLOSING_TIMEOUT_MS} for the client's
 * before dropping the connection (RFC 6455 §7.1.1); a close frame from the client is answered and the
 * connection dropped once the answer is out.
 */
final class NettySocket extends ChannelInboundHandlerAdapter
        implements ClientSocket, FrameAssembler.Sink, FlushBatch.Flushable {
    static final String NAME = "parleyWebSocket";
    private static final Logger log = LoggerFactory.getLogger(NettySocket.class);
    static final long CLOSING_TIMEOUT_MS = 10_000;

    private final WebSocketGateway gateway;
    private final WriteBufferWaterMark bound;
    private final FrameAssembler assembler;
    private ChannelHandlerContext ctx;
    private WsPeer peer;
    /** Set once a close frame went out (or the connection is gone): nothing more is written or read. */
    private volatile boolean closing;
    private boolean flushPending;
    private boolean closedReported;
    /** The liveness timer, kept by the loop's {@link LoopTimer}: what to run, when, and the links of its list. */
    private Runnable timerCheck;
    long timerDueNanos;
    boolean timerArmed;
    NettySocket timerPrev;
    NettySocket timerNext;

    /**
     * @param bound the socket's outbound bound as a water mark with one threshold both ways (no hysteresis: over
     *              the bound is unwritable, back under it is writable); shared by every socket
     */
    NettySocket(WebSocketGateway gateway, int maxFrameBytes, WriteBufferWaterMark bound) {
        this.gateway = gateway;
        this.bound = bound;
        this.assembler = new FrameAssembler(maxFrameBytes, this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().config().setWriteBufferWaterMark(bound);
        peer = gateway.open(this);
    }

    // ---- whole messages from the assembler (event loop)

    @Override
    public void text(String text) {
        gateway.text(peer, text);
    }

    @Override
    public void binary() {
        gateway.binary(peer);
    }

    @Override
    public void tooBig() {
        gateway.tooBig(peer);
    }

    @Override
    public void invalidText() {
        gateway.invalidText(peer);
    }

    /** The gateway's peer on this socket (tests). */
    WsPeer peer() {
        return peer;
    }

    // ---- from the client (event loop)

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof WebSocketFrame frame)) {
                return; // the upgrade request's empty last content
            }
            peer.heard();
            switch (frame) {
                case CloseWebSocketFrame close -> answerClose(close);
                case PingWebSocketFrame ping -> {
                    if (!closing) {
                        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                    }
                }
                case PongWebSocketFrame ignored -> {
                }
                default -> {
                    if (!closing) {
                        assembler.handle(frame);
                    }
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answerClose(CloseWebSocketFrame close) {
        if (closing) {
            ctx.channel().close(); // our close was sent first: this is the answer
            return;
        }
        closing = true;
        int code = close.statusCode();
        CloseWebSocketFrame answer = code == -1 ? new CloseWebSocketFrame(CloseCode.NORMAL.code(), "")
                : new CloseWebSocketFrame(code, "");
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        assembler.discard();
        if (!closedReported) {
            closedReported = true;
            gateway.closed(peer);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        assembler.discard();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("websocket error connection={}: {}", peer == null ? null : peer.id, cause.toString());
        ctx.close();
    }

    // ---- to the client (any thread)

    @Override
    public void write(OutFrame frame) {
        if (closing) {
            return;
        }
        EventLoop loop = ctx.channel().eventLoop();
        if (loop.inEventLoop()) {
            writeNow(frame);
        } else {
            loop.execute(() -> writeNow(frame));
        }
    }

    private void writeNow(OutFrame frame) {
        if (closing) {
            return;
        }
        // Past the WebSocket encoder, which lets a ready-made frame's bytes through as they are.
        ctx.write(frame.wire(), ctx.voidPromise());
        if (!ctx.channel().isWritable()) {
            // Unflushed bytes count against the bound too: hand them to the kernel now, so that what is left
            // over the bound is only what the client has not taken.
            ctx.flush();
        }
        if (!flushPending) {
            flushPending = true;
            FlushBatch.add(this, ctx.channel().eventLoop());
        }
    }

    /** Called by the {@link FlushBatch}, on the event loop. */
    @Override
    public void flushNow() {
        flushPending = false;
        ctx.flush();
    }

    /**
     * The channel's writability; a closing or closed socket counts as writable (its writes are dropped), so a
     * socket that went away meanwhile is not mistaken for a slow one.
     */
    @Override
    public boolean writable() {
        return closing || !ctx.channel().isActive() || ctx.channel().isWritable();
    }

    @Override
    public boolean pastHardBound() {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return !closing && out != null && out.totalPendingWriteBytes() > (long) bound.high() * HARD_BOUND_FACTOR;
    }

    @Override
    public void ping() {
        onLoop(() -> {
            if (!closing) {
                ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'p'})));
            }
        });
    }

    @Override
    public void close(CloseCode code, String reason) {
        onLoop(() -> {
            if (closing) {
                return;
            }
            closing = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(code.code(), reason));
            ScheduledFuture<?> timeout = ctx.executor().schedule(() -> {
                ctx.channel().close();
            }, CLOSING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            ctx.channel().closeFuture().addListener(f -> timeout.cancel(false));
        });
    }

    @Override
    public void abandon(CloseCode code, String reason) {
        onLoop(() -> {
            if (!closing) {
                closing = true;
                ctx.writeAndFlush(new CloseWebSocketFrame(code.code(), reason));
            }
            ctx.channel().close();
        });
    }

    @Override
    public void pauseReading() {
        onLoop(() -> ctx.channel().config().setAutoRead(false));
    }

    @Override
    public void resumeReading() {
        onLoop(() -> ctx.channel().config().setAutoRead(true));
    }

    @Override
    public Executor loop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public Runnable schedule(long delayMs, Runnable task) {
        ScheduledFuture<?> f = ctx.executor().schedule(task, delayMs, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void armTimer(long delayMs, Runnable check) {
        timerCheck = check;
        gateway.loopTimer(ctx.channel().eventLoop()).arm(this, delayMs);
    }

    @Override
    public void disarmTimer() {
        timerCheck = null;
        if (timerArmed) {
            gateway.loopTimer(ctx.channel().eventLoop()).disarm(this);
        }
    }

    /** Called by the {@link LoopTimer} (which has disarmed it), on the event loop. */
    void timerFired() {
        Runnable check = timerCheck;
        timerCheck = null;
        if (check != null) {
            check.run();
        }
    }

    private void onLoop(Runnable task) {
        EventLoop loop = ctx.channel().eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
