package dev.parley.server.gateway.mqtt;

import dev.parley.server.gateway.FlushBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport under one MQTT connection: a TCP socket, or a WebSocket whose binary messages carry
 * the MQTT byte stream. It decodes and encodes packets with Netty's MQTT codec; the protocol engine
 * sees only packets through this seam.
 */
interface MqttLink {

    /** Writes one packet's bytes (the link releases them); they reach the network soon after. Event loop only. */
    void write(ByteBuf bytes);

    /** Encodes and writes one packet, like {@link #write(ByteBuf)}. Event loop only. */
    void write(MqttMessage packet);

    /** Bytes written and not yet taken by the network (for the slow-client bound). Any thread. */
    long queuedBytes();

    /** Where packet buffers come from. */
    ByteBufAllocator alloc();

    /** Closes the transport; the close handler runs once. */
    void close();

    void pause();

    void resume();

    /**
     * Registers the handlers: received packets, in order (a packet that failed to decode is the last one;
     * the receiver releases what it gets), and the end of the transport.
     */
    void start(Handler<MqttMessage> packets, Handler<Void> closed);

    /**
     * MQTT over TCP.
     *
     * @param maxPacketBytes    largest packet accepted; a bigger one decodes as a failed packet
     * @param maxClientIdLength longest client identifier accepted in CONNECT
     */
    static MqttLink tcp(NetSocket socket, int maxPacketBytes, int maxClientIdLength) {
        return new Tcp(socket, maxPacketBytes, maxClientIdLength);
    }

    /**
     * MQTT over TCP. Netty's MQTT decoder and encoder sit in the socket's own pipeline, in front of Vert.x's
     * handler, so packets arrive decoded (Vert.x passes them on as messages) and go out encoded, with no codec
     * channel of their own. Packets are written to the channel directly, without a future each and without a
     * flush each: {@link FlushBatch} flushes once per event-loop batch. The bytes still unwritten are the
     * channel's own count.
     */
    final class Tcp implements MqttLink, FlushBatch.Flushable {
        private final NetSocket socket;
        private final ChannelHandlerContext ctx;
        private boolean flushPending;

        Tcp(NetSocket socket, int maxPacketBytes, int maxClientIdLength) {
            this.socket = socket;
            this.ctx = ((NetSocketInternal) socket).channelHandlerContext();
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addBefore(ctx.name(), "mqttDecoder", new MqttDecoder(maxPacketBytes, maxClientIdLength));
            pipeline.addBefore(ctx.name(), "mqttEncoder", MqttEncoder.INSTANCE);
        }

        @Override
        public void write(ByteBuf bytes) {
            ctx.write(bytes, ctx.voidPromise());
            flushSoon();
        }

        @Override
        public void write(MqttMessage packet) {
            ctx.write(packet, ctx.voidPromise()); // through the MQTT encoder in the pipeline
            flushSoon();
        }

        private void flushSoon() {
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

        @Override
        public long queuedBytes() {
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            return out == null ? 0 : out.totalPendingWriteBytes();
        }

        @Override
        public ByteBufAllocator alloc() {
            return ctx.alloc();
        }

        @Override
        public void close() {
            if (flushPending) {
                flushNow(); // what was written before the close goes out first
            }
            socket.close();
        }

        @Override
        public void pause() {
            socket.pause();
        }

        @Override
        public void resume() {
            socket.resume();
        }

        @Override
        public void start(Handler<MqttMessage> packets, Handler<Void> closed) {
            ((NetSocketInternal) socket).messageHandler(msg -> {
                if (msg instanceof MqttMessage m) {
                    packets.handle(m);
                } else {
                    ReferenceCountUtil.release(msg); // bytes only come through before the decoder is in place
                }
            });
            socket.closeHandler(closed);
            socket.exceptionHandler(e -> socket.close());
        }
    }

    /**
     * MQTT over WebSocket: MQTT packets travel in binary messages; a message may hold part of a packet
     * or several packets (the codec reassembles the stream either way).
     */
    static MqttLink webSocket(ServerWebSocket ws, int maxPacketBytes, int maxClientIdLength) {
        AtomicLong queued = new AtomicLong();
        MqttCodec codec = new MqttCodec(maxPacketBytes, maxClientIdLength);
        return new MqttLink() {
            @Override
            public void write(ByteBuf bytes) {
                int size = bytes.readableBytes();
                queued.addAndGet(size);
                ws.writeBinaryMessage(BufferInternal.buffer(bytes)).onComplete(ar -> queued.addAndGet(-size));
            }

            @Override
            public void write(MqttMessage packet) {
                write(codec.encode(packet));
            }

            @Override
            public long queuedBytes() {
                return queued.get();
            }

            @Override
            public ByteBufAllocator alloc() {
                return ByteBufAllocator.DEFAULT;
            }

            @Override
            public void close() {
                ws.close();
            }

            @Override
            public void pause() {
                ws.pause();
            }

            @Override
            public void resume() {
                ws.resume();
            }

            @Override
            public void start(Handler<MqttMessage> packets, Handler<Void> closed) {
                ws.binaryMessageHandler(data -> {
                    List<MqttMessage> got = codec.decode(((BufferInternal) data).getByteBuf());
                    for (int i = 0; i < got.size(); i++) {
                        MqttMessage m = got.get(i);
                        packets.handle(m);
                        if (m.decoderResult().isFailure()) {
                            // The codec decodes nothing after a failure; release whatever came with it.
                            got.subList(i + 1, got.size()).forEach(ReferenceCountUtil::release);
                            return;
                        }
                    }
                });
                // MQTT over WebSocket is binary only (MQTT 5.0 section 6): a text message ends the connection.
                ws.textMessageHandler(text -> ws.close((short) 1003, "binary MQTT packets only"));
                ws.closeHandler(v -> {
                    codec.close();
                    closed.handle(v);
                });
                ws.exceptionHandler(e -> ws.close());
            }
        };
    }
}
