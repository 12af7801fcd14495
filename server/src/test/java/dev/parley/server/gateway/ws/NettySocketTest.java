package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.PresenceState;
import dev.parley.server.config.ConnectionConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code /v1/ws} transport on Netty's {@link EmbeddedChannel}: a pipeline shaped like Vert.x's (HTTP codec,
 * then a stand-in for Vert.x's handler), real handshake bytes in, real WebSocket frames both ways, the real
 * core behind it (in memory; lanes run on the test thread).
 */
class NettySocketTest {
    static final long MAX_QUEUED = 64 * 1024;
    final ManualExecutor lanes = new ManualExecutor();
    final GatewayFixture f = new GatewayFixture(lanes,
            new ConnectionConfig(10_000, 25_000, 20_000, 15_000, 30_000, MAX_QUEUED, 0, 0, 0));
    final List<Object> toVertx = new ArrayList<>();
    final EmbeddedChannel ch = new EmbeddedChannel();
    final EmbeddedChannel clientEncoder = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
    final EmbeddedChannel clientDecoder = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));

    NettySocketTest() {
        ch.pipeline().addLast("httpDecoder", new HttpRequestDecoder());
        ch.pipeline().addLast("httpEncoder", new HttpResponseEncoder());
        ch.pipeline().addLast(WsUpgrade.VERTX_CHUNKED_WRITER, new ChunkedWriteHandler());
        ch.pipeline().addLast(WsUpgrade.VERTX_HANDLER, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                toVertx.add(msg);
                ReferenceCountUtil.release(msg);
            }
        });
        ch.pipeline().addBefore(WsUpgrade.VERTX_HANDLER, WsUpgrade.NAME, f.gateway.upgradeHandler());
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
        clientEncoder.finishAndReleaseAll();
        clientDecoder.finishAndReleaseAll();
        f.close();
    }

    private static String upgradeRequest(String path, String extraHeaders) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    private String send(String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII));
        pump();
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    private void upgrade() {
        String response = send(upgradeRequest("/v1/ws", ""));
        assertThat(response).startsWith("HTTP/1.1 101").contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    /** Runs lane tasks and the channel's loop until both are idle. */
    private void pump() {
        for (int i = 0; i < 1_000; i++) {
            boolean ran = lanes.runAll();
            ch.runPendingTasks();
            if (!ran && !lanes.runAll()) {
                return;
            }
        }
    }

    private void clientSends(WebSocketFrame frame) {
        clientEncoder.writeOutbound(frame);
        ByteBuf b;
        while ((b = clientEncoder.readOutbound()) != null) {
            ch.writeInbound(b);
        }
        pump();
    }

    /** Every frame the server has written since the last call. */
    private List<WebSocketFrame> serverFrames() {
        pump();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            clientDecoder.writeInbound(b);
        }
        List<WebSocketFrame> frames = new ArrayList<>();
        Object frame;
        while ((frame = clientDecoder.readInbound()) != null) {
            frames.add((WebSocketFrame) frame);
        }
        return frames;
    }

    private List<String> serverTexts() {
        List<String> texts = new ArrayList<>();
        for (WebSocketFrame frame : serverFrames()) {
            if (frame instanceof TextWebSocketFrame t) {
                texts.add(t.text());
            }
            frame.release();
        }
        return texts;
    }

    /** The close code the server sent, reading frames until its close frame. */
    private int serverCloseCode() {
        for (WebSocketFrame frame : serverFrames()) {
            try {
                if (frame instanceof CloseWebSocketFrame c) {
                    return c.statusCode();
                }
            } finally {
                frame.release();
            }
        }
        return -1;
    }

    private String hello(GatewayFixture.User user) {
        return "{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + user.token() + "\"}";
    }

    @Test
    void theLivenessTimerLivesInTheLoopsSweepAndClosingTheSocketDisarmsIt() {
        upgrade();
        LoopTimer timers = f.gateway.loopTimer(ch.eventLoop());
        assertThat(timers.armed()).isEqualTo(1);
        ch.close();
        pump();
        assertThat(timers.armed()).isZero();
    }

    @Test
    void theUpgradeIsAnsweredByNettyAndVertxNeverSeesTheSocket() {
        upgrade();
        assertThat(toVertx).isEmpty();
        assertThat(ch.pipeline().get(WsUpgrade.VERTX_HANDLER)).isNull();
        assertThat(ch.pipeline().get(WsUpgrade.VERTX_CHUNKED_WRITER)).isNull();
        assertThat(ch.pipeline().get("httpDecoder")).isNull();
        assertThat(ch.pipeline().get("httpEncoder")).isNull();
        assertThat(ch.pipeline().get(NettySocket.NAME)).isInstanceOf(NettySocket.class);
        clientSends(new TextWebSocketFrame(hello(f.user("alice"))));
        assertThat(serverTexts()).singleElement().asString().contains("\"t\":\"welcome\"");
    }

    @Test
    void otherRequestsAndOtherUpgradesGoToVertx() {
        send("GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        send(upgradeRequest("/v1/socket.io/?EIO=4&transport=websocket", ""));
        assertThat(toVertx).filteredOn(m -> m instanceof HttpRequest).hasSize(2);
        assertThat(ch.pipeline().get(WsUpgrade.NAME)).isNotNull();
    }

    @Test
    void aForeignBrowserOriginIsRefused403() {
        String response = send(upgradeRequest("/v1/ws", "Origin: https://evil.example\r\n"));
        assertThat(response).startsWith("HTTP/1.1 403");
        assertThat(ch.isOpen()).isFalse();
        assertThat(toVertx).isEmpty();
    }

    @Test
    void theSameOriginIsAccepted() {
        String response = send(upgradeRequest("/v1/ws?x=1", "Origin: http://localhost:8080\r\n"));
        assertThat(response).startsWith("HTTP/1.1 101");
    }

    @Test
    void permessageDeflateIsNotNegotiated() {
        String response = send(upgradeRequest("/v1/ws",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
        assertThat(response).startsWith("HTTP/1.1 101");
        assertThat(response.toLowerCase(java.util.Locale.ROOT)).doesNotContain("sec-websocket-extensions");
        assertThat(ch.pipeline().names()).noneMatch(n -> n.toLowerCase(java.util.Locale.ROOT).contains("deflate"));
    }

    @Test
    void anUpgradeWithoutAKeyIsRefused400() {
        String response = send("GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aHelloInFragmentsIsJoined() {
        upgrade();
        String hello = hello(f.user("bob"));
        clientSends(new TextWebSocketFrame(false, 0, hello.substring(0, 10)));
        clientSends(new ContinuationWebSocketFrame(false, 0, hello.substring(10, 20)));
        clientSends(new ContinuationWebSocketFrame(true, 0, hello.substring(20)));
        assertThat(serverTexts()).singleElement().asString().contains("\"t\":\"welcome\"");
    }

    @Test
    void aMessageOverMaxFrameBytesClosesWith1009WhateverItsFragmentation() {
        upgrade();
        String half = "x".repeat(GatewayFixture.MAX_FRAME_BYTES / 2 + 1);
        clientSends(new TextWebSocketFrame(false, 0, half));
        clientSends(new ContinuationWebSocketFrame(true, 0, half));
        assertThat(serverCloseCode()).isEqualTo(1009);
    }

    @Test
    void aFrameOverTheHardCapIsRefusedByTheDecoderWith1009() {
        upgrade();
        clientSends(new TextWebSocketFrame("y".repeat(65_537)));
        assertThat(serverCloseCode()).isEqualTo(1009);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void invalidUtf8ClosesWith1007() {
        upgrade();
        clientSends(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'{', (byte) 0xC0, '}'})));
        assertThat(serverCloseCode()).isEqualTo(1007);
    }

    @Test
    void aBinaryFrameIsAnsweredWithAnErrorAndTheSocketStaysOpen() {
        upgrade();
        clientSends(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        assertThat(serverTexts()).singleElement().asString().contains("\"t\":\"error\"");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void noHelloInTimeClosesWith4401() {
        upgrade();
        NettySocket socket = (NettySocket) ch.pipeline().get(NettySocket.NAME);
        ch.advanceTimeBy(10_001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.outboundMessages()).as("the deadline is the socket's own, not yet passed").isEmpty();
        socket.peer().openedNanos -= Duration.ofMinutes(1).toNanos();
        ch.advanceTimeBy(10_001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(serverCloseCode()).isEqualTo(4401);
    }

    @Test
    void aBadTokenClosesWith4401() {
        upgrade();
        clientSends(new TextWebSocketFrame("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"nope\"}"));
        assertThat(serverCloseCode()).isEqualTo(4401);
    }

    @Test
    void pingsAreAnsweredAndTheClientsCloseIsEchoedThenTheConnectionDrops() {
        upgrade();
        clientSends(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'k'})));
        List<WebSocketFrame> frames = serverFrames();
        assertThat(frames).singleElement().isInstanceOf(PongWebSocketFrame.class);
        assertThat(frames.getFirst().content().toString(StandardCharsets.US_ASCII)).isEqualTo("k");
        frames.forEach(WebSocketFrame::release);
        clientSends(new CloseWebSocketFrame(1000, "bye"));
        assertThat(serverCloseCode()).isEqualTo(1000);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aClientThatStaysPastTheBoundForTheGracePeriodIsClosedWith1008() {
        upgrade();
        clientSends(new TextWebSocketFrame(hello(f.user("carol"))));
        assertThat(serverTexts()).hasSize(1);
        NettySocket socket = (NettySocket) ch.pipeline().get(NettySocket.NAME);
        // The bound is the channel's own write buffer limit, one threshold both ways.
        assertThat(ch.config().getWriteBufferHighWaterMark()).isEqualTo((int) MAX_QUEUED);
        assertThat(ch.config().getWriteBufferLowWaterMark()).isEqualTo((int) MAX_QUEUED);
        OutFrame frame = OutFrame.ofJson("\"" + "z".repeat(1000) + "\"");
        socket.peer().push(frame);
        assertThat(serverTexts()).hasSize(1);
        // The client stops reading: its bytes pile up past the bound and the channel turns unwritable.
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(socket.writable()).isFalse();
        assertThat(socket.pastHardBound()).isFalse();
        // Within the grace period frames are still written: a client starved of CPU for a moment catches up.
        socket.peer().push(frame);
        assertThat(serverTexts()).hasSize(1);
        assertThat(socket.peer().isClosed()).isFalse();
        ch.advanceTimeBy(WsPeer.SLOW_GRACE_MS - 100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(socket.peer().isClosed()).isFalse();
        // Still past the bound when the period ends: closed with 1008.
        ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(socket.peer().isClosed()).isTrue();
        List<WebSocketFrame> frames = serverFrames();
        assertThat(frames).singleElement().isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) frames.getFirst()).statusCode()).isEqualTo(1008);
        frames.forEach(WebSocketFrame::release);
        socket.peer().push(frame);
        assertThat(serverFrames()).as("nothing after the close").isEmpty();
    }

    @Test
    void aClientBackUnderTheBoundWithinTheGracePeriodStaysOpen() {
        upgrade();
        clientSends(new TextWebSocketFrame(hello(f.user("carol"))));
        assertThat(serverTexts()).hasSize(1);
        NettySocket socket = (NettySocket) ch.pipeline().get(NettySocket.NAME);
        OutFrame frame = OutFrame.ofJson("\"y\"");
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        socket.peer().push(frame);
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.advanceTimeBy(WsPeer.SLOW_GRACE_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(socket.peer().isClosed()).isFalse();
        socket.peer().push(frame);
        assertThat(serverTexts()).hasSize(2);
    }

    @Test
    void pastTheHardBoundCountsTheBytesWaitingUnsent() {
        upgrade();
        clientSends(new TextWebSocketFrame(hello(f.user("carol"))));
        assertThat(serverTexts()).hasSize(1);
        NettySocket socket = (NettySocket) ch.pipeline().get(NettySocket.NAME);
        // Written but not flushed: the bytes wait in the channel's outbound buffer.
        int chunk = (int) MAX_QUEUED - 1_000; // each entry also counts Netty's per-entry overhead
        for (int i = 0; i < ClientSocket.HARD_BOUND_FACTOR; i++) {
            ch.write(Unpooled.wrappedBuffer(new byte[chunk]));
        }
        assertThat(socket.pastHardBound()).isFalse();
        ch.write(Unpooled.wrappedBuffer(new byte[4_000]));
        assertThat(socket.pastHardBound()).isTrue();
        ch.flushOutbound();
        assertThat(socket.pastHardBound()).isFalse();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    @Test
    void oneEncodingIsSharedByEveryRecipient() {
        OutFrame frame = OutFrame.ofJson("{\"t\":\"x\"}");
        ByteBuf a = frame.wire();
        ByteBuf b = frame.wire();
        try {
            assertThat(a.unwrap()).isSameAs(b.unwrap());
            assertThat((int) a.getUnsignedByte(0)).isEqualTo(0x81);
            assertThat((int) a.getUnsignedByte(1)).isEqualTo(9);
            assertThat(a.toString(2, 9, StandardCharsets.UTF_8)).isEqualTo("{\"t\":\"x\"}");
        } finally {
            a.release();
            b.release();
        }
    }

    @Test
    void aClosedChannelUnregistersThePeerAndLaterWritesAreDropped() {
        var alice = f.user("alice");
        upgrade();
        clientSends(new TextWebSocketFrame(hello(alice)));
        serverTexts();
        NettySocket socket = (NettySocket) ch.pipeline().get(NettySocket.NAME);
        assertThat(f.presence.presenceOf(List.of(alice.userId()))).singleElement()
                .matches(p -> p.state() == PresenceState.ONLINE);
        ch.close();
        pump();
        socket.write(OutFrame.ofJson("{}")); // the mass-disconnect case: no exception, nothing written
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(f.presence.presenceOf(List.of(alice.userId()))).singleElement()
                .matches(p -> p.state() == PresenceState.OFFLINE);
    }
}
