package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The assembler without sockets: fragments joined, the size limit, binary refused, invalid UTF-8 closes. */
class FrameAssemblerTest {
    final List<String> texts = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final FrameAssembler assembler = new FrameAssembler(16, new FrameAssembler.Sink() {
        @Override
        public void text(String text) {
            texts.add(text);
        }

        @Override
        public void binary() {
            events.add("binary");
        }

        @Override
        public void tooBig() {
            events.add("too big");
        }

        @Override
        public void invalidText() {
            events.add("invalid text");
        }
    });

    private void feed(WebSocketFrame frame) {
        try {
            assembler.handle(frame);
        } finally {
            frame.release();
        }
    }

    private static ContinuationWebSocketFrame more(boolean last, byte... bytes) {
        return new ContinuationWebSocketFrame(last, 0, Unpooled.wrappedBuffer(bytes));
    }

    private static ContinuationWebSocketFrame more(boolean last, String text) {
        return more(last, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fragmentsOfOneTextMessageAreJoined() {
        feed(new TextWebSocketFrame(false, 0, "{\"t\":"));
        feed(more(true, "\"ping\"}"));
        assertThat(texts).containsExactly("{\"t\":\"ping\"}");
        assertThat(events).isEmpty();
    }

    @Test
    void aMessageOverTheLimitEndsTheSocketWhateverItsFragmentation() {
        feed(new TextWebSocketFrame(false, 0, "0123456789"));
        feed(more(true, "0123456789"));
        assertThat(events).containsExactly("too big");
        feed(new TextWebSocketFrame("{}"));
        assertThat(texts).as("nothing after the close").isEmpty();
    }

    @Test
    void aSingleFrameOverTheLimitIsRefusedToo() {
        feed(new TextWebSocketFrame("01234567890123456"));
        assertThat(events).containsExactly("too big");
    }

    @Test
    void exactlyTheLimitIsFine() {
        feed(new TextWebSocketFrame("0123456789abcdef"));
        assertThat(texts).containsExactly("0123456789abcdef");
    }

    @Test
    void invalidUtf8IsRefusedInsteadOfBeingDecodedWithReplacementCharacters() {
        feed(new TextWebSocketFrame(false, 0, "{\"t\":\""));
        feed(more(true, (byte) 0xC3, (byte) '"', (byte) '}'));
        assertThat(events).containsExactly("invalid text");
        assertThat(texts).isEmpty();
    }

    @Test
    void invalidUtf8InOneFrameIsRefused() {
        feed(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'"', (byte) 0xFF, '"'})));
        assertThat(events).containsExactly("invalid text");
    }

    @Test
    void multiByteCharactersSplitAcrossFragmentsAreFine() {
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        feed(new BinaryWebSocketFrame(Unpooled.EMPTY_BUFFER));
        assertThat(events).containsExactly("binary");
        events.clear();
        feed(new TextWebSocketFrame(false, 0, "\""));
        feed(more(false, e[0]));
        feed(more(true, e[1], (byte) '"'));
        assertThat(texts).containsExactly("\"é\"");
        assertThat(events).isEmpty();
    }

    @Test
    void aFragmentedBinaryMessageIsOneRefusal() {
        feed(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[] {1, 2})));
        feed(more(true, (byte) 3));
        assertThat(events).containsExactly("binary");
        assertThat(texts).isEmpty();
    }

    @Test
    void aStrayContinuationIsIgnored() {
        feed(more(true, "{}"));
        assertThat(texts).isEmpty();
        assertThat(events).isEmpty();
    }
}
