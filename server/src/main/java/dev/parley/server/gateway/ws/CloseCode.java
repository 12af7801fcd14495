package dev.parley.server.gateway.ws;

import dev.parley.protocol.Protocol;

/** Every close code the {@code /v1/ws} gateway sends, by what it means. */
public enum CloseCode {
    /** RFC 6455 §7.4.1: the client closed and the server answers in kind. */
    NORMAL((short) 1000),
    /** RFC 6455 §7.4.1: a text message that is not valid UTF-8. */
    INVALID_TEXT((short) 1007),
    /** Policy violation: the client let more than the outbound bound pile up unread. */
    TOO_SLOW((short) 1008),
    /** A message over {@code maxFrameBytes}. */
    TOO_BIG(Protocol.CLOSE_TOO_BIG),
    /** The server failed while setting the socket up. */
    SERVER_ERROR((short) 1011),
    /** No or a bad {@code hello}, or the session was revoked or expired. */
    UNAUTHORIZED(Protocol.CLOSE_UNAUTHORIZED),
    /** The socket answered no ping in time (4xxx mirrors HTTP 408 Request Timeout). */
    NO_PONG((short) 4408);

    private final short code;

    CloseCode(short code) {
        this.code = code;
    }

    /** The number on the wire. */
    public short code() {
        return code;
    }
}
