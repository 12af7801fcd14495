package dev.parley.server.gateway.ws;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Joins a text message from its frames and enforces the message size limit itself, so an oversized
 * message always ends in a 1009 close (whatever the fragmentation), never in unbounded buffering. A text
 * message that is not valid UTF-8 ends the connection (RFC 6455 §8.1: 1007) instead of reaching the decoder
 * with replacement characters. Runs on the socket's event loop.
 */
final class FrameAssembler implements Handler<WebSocketFrame> {
    private final int maxBytes;
    private final Consumer<String> onText;
    private final Runnable onBinary;
    private final Runnable onTooBig;
    private final Runnable onInvalidText;
    private Buffer partial;
    private boolean binary;
    private boolean dead;

    FrameAssembler(int maxBytes, Consumer<String> onText, Runnable onBinary, Runnable onTooBig,
                   Runnable onInvalidText) {
        this.maxBytes = maxBytes;
        this.onText = onText;
        this.onBinary = onBinary;
        this.onTooBig = onTooBig;
        this.onInvalidText = onInvalidText;
    }

    @Override
    public void handle(WebSocketFrame frame) {
        var type = frame.type();
        if (dead || type == WebSocketFrameType.CLOSE || type == WebSocketFrameType.PING
                || type == WebSocketFrameType.PONG) {
            return;
        }
        if (frame.isText() || frame.isBinary()) {
            binary = frame.isBinary();
            partial = null;
        } else if (!frame.isContinuation() || partial == null && !binary) {
            return;
        }
        Buffer data = frame.binaryData();
        int size = (partial == null ? 0 : partial.length()) + data.length();
        if (size > maxBytes) {
            dead = true;
            partial = null;
            onTooBig.run();
            return;
        }
        if (!frame.isFinal()) {
            if (partial == null) {
                partial = Buffer.buffer(Math.min(size * 2, maxBytes));
            }
            partial.appendBuffer(data);
            return;
        }
        Buffer whole = partial == null ? data : partial.appendBuffer(data);
        partial = null;
        if (binary) {
            onBinary.run();
        } else {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(whole.getBytes()))
                        .toString();
            } catch (CharacterCodingException e) {
                dead = true;
                onInvalidText.run();
                return;
            }
            onText.accept(text);
        }
    }
}
