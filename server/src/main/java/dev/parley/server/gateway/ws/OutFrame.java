package dev.parley.server.gateway.ws;

import dev.parley.protocol.Json;
import dev.parley.protocol.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One server frame encoded once, however many sockets it goes to: the complete WebSocket text frame as it goes
 * on the wire (a server's frames are not masked, so the bytes are the same for every recipient). The JSON is
 * written as UTF-8 straight into that buffer, after room left for the frame header, so a frame costs one
 * buffer and no intermediate text or byte array. Immutable and safe to share across threads.
 *
 * <p>The wire buffer is a heap buffer, never released by hand: every socket writes a retained slice of it, which
 * Netty copies into its pooled direct memory for the system call and then releases, and the buffer goes with its
 * frame like any object, so no path that makes a frame can leak native memory by forgetting it. So each socket's
 * write copies the frame once, and a slow socket's queue holds its own copies. Frames used to be unpooled direct
 * buffers freed by their cleaners: two cleaners a send, 5,500-34,000 phantom references for each young collection
 * to process at 10k and 40k deliveries/s, and a run's median young pause was 5.7-17 ms with them against
 * 3.4-7.9 ms without (docs/performance.md, "Thirteenth session").
 */
public final class OutFrame {
    private static final int TEXT_FINAL = 0x81;
    /** The longest header (64-bit length); the payload is written after this much room. */
    private static final int MAX_HEADER = 10;
    private static final int INITIAL_CAPACITY = 512;

    /** The whole frame, header first: readable bytes are exactly what goes on the wire. */
    private final ByteBuf wire;
    private final int headerBytes;
    private volatile String json;

    private OutFrame(ByteBuf wire, int headerBytes) {
        this.wire = wire;
        this.headerBytes = headerBytes;
    }

    public static OutFrame of(ServerFrame frame) {
        ByteBuf buf = Unpooled.buffer(INITIAL_CAPACITY);
        buf.writerIndex(MAX_HEADER);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            Json.mapper().writeValue((OutputStream) out, frame);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
        }
        return framed(buf);
    }

    /** A frame already in its JSON text form. */
    public static OutFrame ofJson(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        return framed(payload, Unpooled.buffer(MAX_HEADER + payload.length, MAX_HEADER + payload.length));
    }

    /** A frame already in its JSON text form, given as two runs of UTF-8 (a sync answer's head and its page). */
    public static OutFrame ofJson(byte[] head, byte[] tail) {
        int n = MAX_HEADER + head.length + tail.length;
        ByteBuf buf = Unpooled.buffer(n, n);
        buf.writerIndex(MAX_HEADER);
        buf.writeBytes(head);
        buf.writeBytes(tail);
        return framed(buf);
    }

    /** Writes {@code payload} into {@code buf} (sized for it and the largest header) after the header's room. */
    private static OutFrame framed(byte[] payload, ByteBuf buf) {
        buf.writerIndex(MAX_HEADER);
        buf.writeBytes(payload);
        return framed(buf);
    }

    /** Puts the header right before the payload that starts at {@link #MAX_HEADER}. */
    private static OutFrame framed(ByteBuf buf) {
        int n = buf.writerIndex() - MAX_HEADER;
        int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        int at = MAX_HEADER - header;
        buf.setByte(at, TEXT_FINAL);
        if (n < 126) {
            buf.setByte(at + 1, n);
        } else if (n < 65_536) {
            buf.setByte(at + 1, 126);
            buf.setShort(at + 2, n);
        } else {
            buf.setByte(at + 1, 127);
            buf.setLong(at + 2, n);
        }
        buf.readerIndex(at);
        return new OutFrame(buf, header);
    }

    /** The frame's JSON text, decoded on first use (tests and logs; the wire path never needs it). */
    public String json() {
        String j = json;
        if (j == null) {
            j = wire.toString(wire.readerIndex() + headerBytes, wire.readableBytes() - headerBytes,
                    StandardCharsets.UTF_8);
            json = j;
        }
        return j;
    }

    /**
     * The WebSocket frame's bytes for one more recipient: a retained slice of the one encoding (index 0 is the
     * frame's first byte), which the caller hands to the channel (that releases it).
     */
    ByteBuf wire() {
        return wire.retainedSlice();
    }
}
