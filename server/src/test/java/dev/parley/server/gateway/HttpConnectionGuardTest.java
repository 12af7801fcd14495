package dev.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard on Netty's {@link EmbeddedChannel}, in a pipeline shaped like Vert.x's: it charges a connection to its
 * address at the first request head, and gives the count back when the connection closes, whether it stayed HTTP
 * (the guard sees the close) or became a WebSocket (the guard has left the pipeline; a close listener does it).
 */
class HttpConnectionGuardTest {
    private static final String CLIENT = "192.0.2.7";
    final AddressLimits limits = new AddressLimits(2, 0, 0, System::nanoTime);
    final EmbeddedChannel ch = new EmbeddedChannel();

    HttpConnectionGuardTest() {
        ch.pipeline().addLast("httpDecoder", new HttpRequestDecoder());
        ch.pipeline().addLast("httpEncoder", new HttpResponseEncoder());
        ch.pipeline().addLast("handler", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg); // stands in for Vert.x's handler
            }
        });
        assertThat(limits.holdPending(CLIENT)).isTrue(); // as the ConnectionGate does for a new connection
        ch.pipeline().addBefore("handler", HttpConnectionGuard.NAME, new HttpConnectionGuard(limits,
                new ClientAddresses(), SocketAddress.inetSocketAddress(40_000, CLIENT), true, 15_000, 30_000));
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private void request(String head) {
        ch.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
    }

    @Test
    void aWebSocketLeavesNoGuardBehindAndItsAddressGetsItsCountBackOnClose() {
        request("GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        assertThat(limits.openOf(CLIENT)).isEqualTo(1);

        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        assertThat(ch.pipeline().get(HttpConnectionGuard.NAME)).as("the guard left the pipeline").isNull();
        assertThat(limits.openOf(CLIENT)).as("still counted while open").isEqualTo(1);

        ch.close();
        assertThat(limits.openOf(CLIENT)).isZero();
    }

    @Test
    void anHttpConnectionKeepsItsGuardAndGetsItsCountBackOnClose() {
        request("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(limits.openOf(CLIENT)).isEqualTo(1);
        assertThat(ch.pipeline().get(HttpConnectionGuard.NAME)).isNotNull();

        ch.close();
        assertThat(limits.openOf(CLIENT)).isZero();
    }
}
