package dev.parley.server.gateway.ws;

import dev.parley.protocol.Json;
import dev.parley.protocol.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * One server frame encoded once, however many sockets it goes to: its JSON text and, made on first use, the
 * complete WebSocket text frame as it goes on the wire (a server's frames are not masked, so the bytes are
 * the same for every recipient). Immutable and safe to share across threads.
 *
 * <p>The wire buffer is never released by hand: every socket writes a retained duplicate of it (released by
 * Netty once written), and the buffer itself is freed when the frame becomes garbage (an unpooled direct
 * buffer with a cleaner), so no path that makes a frame can leak native memory by forgetting it.
 */
public final class OutFrame {
    /** Direct buffers freed by the garbage collector (no "no-cleaner" allocation, no leak tracking). */
    private static final ByteBufAllocator WIRE = new UnpooledByteBufAllocator(true, true, false);
    private static final int TEXT_FINAL = 0x81;

    private final String json;
    private volatile ByteBuf wire;

    private OutFrame(String json) {
        this.json = json;
    }

    public static OutFrame of(ServerFrame frame) {
        return new OutFrame(Json.encode(frame));
    }

    /** A frame already in its JSON text form. */
    public static OutFrame ofJson(String json) {
        return new OutFrame(json);
    }

    public String json() {
        return json;
    }

    /**
     * The WebSocket frame's bytes for one more recipient: a retained duplicate of the one encoding, which the
     * caller hands to the channel (that releases it). Two threads asking first may both encode; either copy
     * is right and the spare one is garbage.
     */
    ByteBuf wire() {
        ByteBuf w = wire;
        if (w == null) {
            w = encode(json);
            wire = w;
        }
        return w.retainedDuplicate();
    }

    private static ByteBuf encode(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        int n = payload.length;
        int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        ByteBuf buf = WIRE.directBuffer(header + n, header + n);
        buf.writeByte(TEXT_FINAL);
        if (n < 126) {
            buf.writeByte(n);
        } else if (n < 65_536) {
            buf.writeByte(126);
            buf.writeShort(n);
        } else {
            buf.writeByte(127);
            buf.writeLong(n);
        }
        buf.writeBytes(payload);
        return buf;
    }
}
