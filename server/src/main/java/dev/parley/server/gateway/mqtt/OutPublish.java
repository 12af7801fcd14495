package dev.parley.server.gateway.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One PUBLISH encoded once for every recipient of an entry: the packet's bytes as they go on the wire,
 * with room for the packet identifier, which is the only part that differs between recipients (each
 * connection numbers its own packets). {@link #copy} writes a recipient's packet into a buffer of the
 * channel's allocator and puts its packet identifier in place; nothing else is encoded per recipient.
 *
 * <p>Layout (MQTT 3.1.1 section 3.3, 5.0 section 3.3): fixed header (type and flags, remaining length),
 * topic name, packet identifier (QoS 1 and 2 only), properties (5.0 only), payload. DUP and RETAIN are
 * never set: a delivery from the log is a new packet, and retained messages are not supported.
 *
 * <p>Immutable and safe to share across threads.
 */
final class OutPublish {
    /** MQTT 5 property identifier of a user property (a UTF-8 string pair). */
    private static final int USER_PROPERTY = 0x26;
    private static final int MAX_REMAINING = 268_435_455;

    private final byte[] bytes;
    /** Where the packet identifier goes, or -1 at QoS 0. */
    private final int packetIdAt;
    final int qos;

    private OutPublish(byte[] bytes, int packetIdAt, int qos) {
        this.bytes = bytes;
        this.packetIdAt = packetIdAt;
        this.qos = qos;
    }

    /**
     * Encodes a PUBLISH.
     *
     * @param userProperties MQTT 5 user properties as key, value, key, value …; null for 3.1.1 (5.0 then gets
     *                       an empty property list)
     */
    static OutPublish of(String topic, int qos, byte[] payload, boolean v5, List<String> userProperties) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        byte[][] props = null;
        int propsLength = 0;
        if (v5 && userProperties != null) {
            props = new byte[userProperties.size()][];
            for (int i = 0; i < props.length; i++) {
                props[i] = userProperties.get(i).getBytes(StandardCharsets.UTF_8);
            }
            for (int i = 0; i < props.length; i += 2) {
                propsLength += 1 + 2 + props[i].length + 2 + props[i + 1].length;
            }
        }
        int remaining = 2 + topicBytes.length + (qos > 0 ? 2 : 0)
                + (v5 ? varIntSize(propsLength) + propsLength : 0) + payload.length;
        if (remaining > MAX_REMAINING) {
            throw new IllegalArgumentException("PUBLISH too large: " + remaining + " bytes");
        }
        byte[] out = new byte[1 + varIntSize(remaining) + remaining];
        int at = 0;
        out[at++] = (byte) (0x30 | (qos << 1));
        at = writeVarInt(out, at, remaining);
        at = writeString(out, at, topicBytes);
        int packetIdAt = -1;
        if (qos > 0) {
            packetIdAt = at;
            at += 2;
        }
        if (v5) {
            at = writeVarInt(out, at, propsLength);
            if (props != null) {
                for (int i = 0; i < props.length; i += 2) {
                    out[at++] = USER_PROPERTY;
                    at = writeString(out, at, props[i]);
                    at = writeString(out, at, props[i + 1]);
                }
            }
        }
        System.arraycopy(payload, 0, out, at, payload.length);
        return new OutPublish(out, packetIdAt, qos);
    }

    /** The packet's size on the wire. */
    int size() {
        return bytes.length;
    }

    /** One recipient's packet: the shared bytes with {@code packetId} in place (ignored at QoS 0). */
    ByteBuf copy(ByteBufAllocator alloc, int packetId) {
        ByteBuf buf = alloc.buffer(bytes.length, bytes.length);
        buf.writeBytes(bytes);
        if (packetIdAt >= 0) {
            buf.setShort(packetIdAt, packetId);
        }
        return buf;
    }

    private static int writeString(byte[] out, int at, byte[] s) {
        out[at] = (byte) (s.length >>> 8);
        out[at + 1] = (byte) s.length;
        System.arraycopy(s, 0, out, at + 2, s.length);
        return at + 2 + s.length;
    }

    private static int varIntSize(int n) {
        return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
    }

    private static int writeVarInt(byte[] out, int at, int n) {
        do {
            int digit = n & 0x7f;
            n >>>= 7;
            out[at++] = (byte) (n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        return at;
    }
}
