package dev.parley.server.gateway.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * Joins a message from its data frames and enforces the message size limit itself, so an oversized message
 * always ends in a 1009 close (whatever the fragmentation), never in unbounded buffering. A text message that
 * is not valid UTF-8 ends the connection (RFC 6455 §8.1: 1007) instead of reaching the decoder with
 * replacement characters. A message in one frame (the usual case) is decoded straight from the frame's
 * buffer; only a fragmented one is copied. Runs on the socket's event loop; does not release the frames.
 */
final class FrameAssembler {
    /** Where whole messages and the verdicts go; the socket itself, so an idle socket holds no callbacks. */
    interface Sink {
        void text(String text);

        void binary();

        void tooBig();

        void invalidText();
    }

    private final int maxBytes;
    private final Sink sink;
    /** The fragments so far of an unfinished message; null between messages. */
    private ByteBuf partial;
    private boolean inMessage;
    private boolean binary;
    private boolean dead;

    FrameAssembler(int maxBytes, Sink sink) {
        this.maxBytes = maxBytes;
        this.sink = sink;
    }

    /** Takes one data frame (text, binary or continuation); other frames are not its business. */
    void handle(WebSocketFrame frame) {
        if (dead) {
            return;
        }
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            binary = frame instanceof BinaryWebSocketFrame;
            discard();
            inMessage = true;
        } else if (!(frame instanceof ContinuationWebSocketFrame) || !inMessage) {
            return;
        }
        ByteBuf data = frame.content();
        int size = (partial == null ? 0 : partial.readableBytes()) + data.readableBytes();
        if (size > maxBytes) {
            dead = true;
            discard();
            sink.tooBig();
            return;
        }
        if (!frame.isFinalFragment()) {
            if (partial == null) {
                partial = Unpooled.buffer(Math.min(Math.max(size * 2, 256), maxBytes));
            }
            partial.writeBytes(data, data.readerIndex(), data.readableBytes());
            return;
        }
        ByteBuf whole = data;
        if (partial != null) {
            partial.writeBytes(data, data.readerIndex(), data.readableBytes());
            whole = partial;
        }
        inMessage = false;
        try {
            if (binary) {
                sink.binary();
            } else if (!ByteBufUtil.isText(whole, StandardCharsets.UTF_8)) {
                dead = true;
                sink.invalidText();
            } else {
                sink.text(whole.toString(StandardCharsets.UTF_8));
            }
        } finally {
            discard();
        }
    }

    /** Drops an unfinished message (the socket closed, or a new message began). */
    void discard() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
