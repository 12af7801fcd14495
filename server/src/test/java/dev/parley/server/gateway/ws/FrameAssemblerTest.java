package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The assembler without sockets: fragments joined, the size limit, binary refused, invalid UTF-8 closes. */
class FrameAssemblerTest {
    final List<String> texts = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final FrameAssembler assembler = new FrameAssembler(16, texts::add, () -> events.add("binary"),
            () -> events.add("too big"), () -> events.add("invalid text"));

    @Test
    void fragmentsOfOneTextMessageAreJoined() {
        assembler.handle(WebSocketFrame.textFrame("{\"t\":", false));
        assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("\"ping\"}"), true));
        assertThat(texts).containsExactly("{\"t\":\"ping\"}");
        assertThat(events).isEmpty();
    }

    @Test
    void aMessageOverTheLimitEndsTheSocketWhateverItsFragmentation() {
        assembler.handle(WebSocketFrame.textFrame("0123456789", false));
        assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("0123456789"), true));
        assertThat(events).containsExactly("too big");
        assembler.handle(WebSocketFrame.textFrame("{}", true));
        assertThat(texts).as("nothing after the close").isEmpty();
    }

    @Test
    void invalidUtf8IsRefusedInsteadOfBeingDecodedWithReplacementCharacters() {
        assembler.handle(WebSocketFrame.textFrame("{\"t\":\"", false));
        assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {(byte) 0xC3, '"', '}'}), true));
        assertThat(events).containsExactly("invalid text");
        assertThat(texts).isEmpty();
    }

    @Test
    void multiByteCharactersSplitAcrossFragmentsAreFine() {
        byte[] e = "é".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assembler.handle(WebSocketFrame.binaryFrame(Buffer.buffer(), true));
        assertThat(events).containsExactly("binary");
        events.clear();
        assembler.handle(WebSocketFrame.textFrame("\"", false));
        assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {e[0]}), false));
        assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {e[1], '"'}), true));
        assertThat(texts).containsExactly("\"é\"");
        assertThat(events).isEmpty();
    }
}
