package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.protocol.ServerFrame;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one encoding of a server frame: JSON written straight after room for the header, for each length form. */
class OutFrameTest {

    /** Checks the wire bytes of {@code frame}: header for {@code json}'s UTF-8 length, then exactly that JSON. */
    private static void assertWire(OutFrame frame, String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        int n = payload.length;
        ByteBuf wire = frame.wire();
        try {
            assertThat(wire.getUnsignedByte(0)).isEqualTo((short) 0x81);
            int header;
            if (n < 126) {
                assertThat((int) wire.getUnsignedByte(1)).isEqualTo(n);
                header = 2;
            } else if (n < 65_536) {
                assertThat((int) wire.getUnsignedByte(1)).isEqualTo(126);
                assertThat(wire.getUnsignedShort(2)).isEqualTo(n);
                header = 4;
            } else {
                assertThat((int) wire.getUnsignedByte(1)).isEqualTo(127);
                assertThat(wire.getLong(2)).isEqualTo(n);
                header = 10;
            }
            assertThat(wire.readableBytes()).isEqualTo(header + n);
            byte[] got = new byte[n];
            wire.getBytes(header, got);
            assertThat(got).isEqualTo(payload);
            assertThat(frame.json()).isEqualTo(json);
        } finally {
            wire.release();
        }
    }

    @Test
    void aFrameIsItsJsonAfterTheRightHeaderForEveryLengthForm() {
        for (int len : new int[] {0, 1, 125, 126, 127, 1_000, 65_535, 65_536, 200_000}) {
            String body = "é".repeat(len / 2) + "x".repeat(len % 2);
            ServerFrame.Pong small = new ServerFrame.Pong(body, 7);
            assertWire(OutFrame.of(small), Json.encode(small));
            String json = "\"" + "z".repeat(len) + "\"";
            assertWire(OutFrame.ofJson(json), json);
        }
    }

    @Test
    void aFrameHoldsNoDirectMemorySoNoCleanerIsLeftForTheCollector() {
        OutFrame[] frames = {
                OutFrame.of(new ServerFrame.Pong("p", 1)),
                OutFrame.ofJson("\"" + "z".repeat(2_000) + "\""),
                OutFrame.ofJson("{\"a\":".getBytes(StandardCharsets.UTF_8), "1}".getBytes(StandardCharsets.UTF_8))};
        for (OutFrame frame : frames) {
            ByteBuf wire = frame.wire();
            try {
                assertThat(wire.isDirect()).isFalse();
            } finally {
                wire.release();
            }
        }
        assertWire(frames[2], "{\"a\":1}");
    }

    @Test
    void everyRecipientGetsItsOwnViewOfOneBuffer() {
        OutFrame frame = OutFrame.of(new ServerFrame.Pong("p", 1));
        ByteBuf a = frame.wire();
        ByteBuf b = frame.wire();
        try {
            a.skipBytes(a.readableBytes()); // one socket's write consumes its view only
            assertThat(b.readableBytes()).isPositive();
            assertThat(a.unwrap()).isSameAs(b.unwrap());
        } finally {
            a.release();
            b.release();
        }
        assertWire(frame, Json.encode(new ServerFrame.Pong("p", 1)));
    }
}
