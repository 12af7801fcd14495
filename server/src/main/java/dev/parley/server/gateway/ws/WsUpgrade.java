package dev.parley.server.gateway.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GenericFutureListener;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes {@code /v1/ws} upgrades away from Vert.x, in each HTTP/1.1 connection's Netty pipeline just before
 * Vert.x's own handler: every other request passes through untouched. For a WebSocket upgrade to
 * {@code /v1/ws} it checks the browser {@code Origin} (403), answers the handshake with Netty's
 * {@link WebSocketServerHandshaker} (which swaps the HTTP codec for the WebSocket one; permessage-deflate is
 * not offered), removes Vert.x's handler (so Vert.x keeps no per-connection state for the socket and the
 * upgrade request is garbage once answered) and puts a {@link NettySocket} in its own place. One shared
 * instance, no state: it costs an idle connection nothing. Runs on the connection's event loop.
 */
@ChannelHandler.Sharable
public final class WsUpgrade extends ChannelInboundHandlerAdapter {
    public static final String NAME = "parleyWsUpgrade";
    /** Vert.x's connection handler in an HTTP/1.1 pipeline. */
    static final String VERTX_HANDLER = "handler";
    /** Vert.x's {@code ChunkedWriteHandler} in an HTTP/1.1 pipeline (for sending files). */
    static final String VERTX_CHUNKED_WRITER = "chunkedWriter";
    /** Names Netty's handshaker gives the WebSocket codec. */
    private static final String WS_ENCODER = "wsencoder";
    private static final String WS_DECODER = "wsdecoder";
    private static final Logger log = LoggerFactory.getLogger(WsUpgrade.class);
    private static final SharedFrameEncoder ENCODER = new SharedFrameEncoder();

    private final WebSocketGateway gateway;
    private final WebSocketServerHandshakerFactory handshakers;
    private final int maxFrameBytes;
    /** Every socket's outbound bound, one threshold both ways (one immutable instance for all). */
    private final WriteBufferWaterMark bound;

    WsUpgrade(WebSocketGateway gateway, int maxFrameBytes, int hardFrameCap, long maxQueuedBytes) {
        this.gateway = gateway;
        this.maxFrameBytes = maxFrameBytes;
        int b = (int) Math.min(Integer.MAX_VALUE, maxQueuedBytes);
        this.bound = new WriteBufferWaterMark(b, b);
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(hardFrameCap) // over it: 1009 from the decoder; the message limit is ours
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(false) // FrameAssembler checks whole messages (1007)
                .build();
        this.handshakers = new WebSocketServerHandshakerFactory(WebSocketGateway.PATH, null, decoder);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request) || !isOurUpgrade(request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            upgrade(ctx, request);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static boolean isOurUpgrade(HttpRequest request) {
        if (!HttpMethod.GET.equals(request.method())
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return false;
        }
        String uri = request.uri();
        int q = uri.indexOf('?');
        return WebSocketGateway.PATH.equals(q < 0 ? uri : uri.substring(0, q));
    }

    private void upgrade(ChannelHandlerContext ctx, HttpRequest request) {
        ChannelPipeline pipeline = ctx.pipeline();
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !gateway.originAllowed(origin, request.headers().get(HttpHeaderNames.HOST))) {
            log.info("websocket refused: origin not allowed");
            refuse(ctx, HttpResponseStatus.FORBIDDEN);
            return;
        }
        WebSocketServerHandshaker handshaker = handshakers.newHandshaker(request);
        if (handshaker == null) {
            takeOver(pipeline, new Discard());
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        var full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
        try {
            handshaker.handshake(ctx.channel(), full).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.channel().close();
                }
            });
        } catch (WebSocketHandshakeException e) {
            log.debug("websocket refused: {}", e.getMessage());
            refuse(ctx, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        // The handshake put the WebSocket encoder where the HTTP encoder was, after the decoder (Vert.x's order);
        // the decoder writes close frames itself (1009, 1002), so the encoder goes in front of it.
        pipeline.remove(WS_ENCODER);
        pipeline.addBefore(WS_DECODER, WS_ENCODER, ENCODER);
        takeOver(pipeline, new NettySocket(gateway, maxFrameBytes, bound));
    }

    /**
     * Puts {@code handler} in this handler's place and Vert.x's out of the pipeline, with the promise Vert.x's
     * connection keeps on the channel's close (nothing of Vert.x listens to it for a server connection, and it
     * would stay on an idle socket for as long as it is open).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void takeOver(ChannelPipeline pipeline, ChannelHandler handler) {
        ChannelHandler vertx = pipeline.get(VERTX_HANDLER);
        if (vertx != null) {
            if (vertx instanceof VertxHandler<?> h && h.getConnection() != null
                    && h.getConnection().closeFuture() instanceof GenericFutureListener closed) {
                pipeline.channel().closeFuture().removeListener(closed);
            }
            pipeline.remove(VERTX_HANDLER);
        }
        if (pipeline.get(VERTX_CHUNKED_WRITER) != null) {
            pipeline.remove(VERTX_CHUNKED_WRITER); // Vert.x's, for files it sends; nothing queued once the 101 is out
        }
        pipeline.replace(this, handler instanceof NettySocket ? NettySocket.NAME : "parleyDiscard", handler);
    }

    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status) {
        takeOver(ctx.pipeline(), new Discard());
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                status, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION,
                HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Netty's frame encoder keeps no state of its own (a server's frames are not masked): one serves every socket. */
    @ChannelHandler.Sharable
    private static final class SharedFrameEncoder extends WebSocket13FrameEncoder {
        SharedFrameEncoder() {
            super(false);
        }
    }

    /** What is left of a refused upgrade: drops whatever else the client sends while the refusal goes out. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
