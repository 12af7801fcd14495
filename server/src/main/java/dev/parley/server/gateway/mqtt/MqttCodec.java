package dev.parley.server.gateway.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's MQTT 3.1.1/5.0 codec, detached from any socket: bytes in, packets out, and the other way
 * round. One codec per connection, because the decoder remembers the protocol version announced in
 * CONNECT and the encoder writes packets for that version. It serves the WebSocket at {@code /v1/mqtt}
 * (the TCP listener has the same decoder and encoder in its socket's pipeline) and tests' raw clients.
 *
 * <p>Not thread-safe: a connection calls it from its own event loop only.
 */
final class MqttCodec {
    private final EmbeddedChannel channel;

    /**
     * @param maxPacketBytes  largest packet accepted; a bigger one decodes as a failed packet
     * @param maxClientIdLength longest client identifier accepted in CONNECT
     */
    MqttCodec(int maxPacketBytes, int maxClientIdLength) {
        channel = new EmbeddedChannel(new MqttDecoder(maxPacketBytes, maxClientIdLength), MqttEncoder.INSTANCE);
    }

    /** Feeds received bytes (released here) and returns the packets completed by them, in order. */
    List<MqttMessage> decode(ByteBuf bytes) {
        channel.writeInbound(bytes);
        List<MqttMessage> out = new ArrayList<>(2);
        Object m;
        while ((m = channel.readInbound()) != null) {
            out.add((MqttMessage) m);
        }
        return out;
    }

    /** Encodes one packet; the caller owns (and must write or release) the returned buffer. */
    ByteBuf encode(MqttMessage message) {
        channel.writeOutbound(message);
        ByteBuf first = channel.readOutbound();
        ByteBuf next = channel.readOutbound();
        if (next == null) {
            return first;
        }
        // The encoder may hand out a packet in several buffers; join them.
        var all = channel.alloc().compositeBuffer();
        all.addComponent(true, first);
        while (next != null) {
            all.addComponent(true, next);
            next = channel.readOutbound();
        }
        return all;
    }

    void close() {
        channel.finishAndReleaseAll();
    }
}
