package dev.parley.server.gateway.socketio;

import java.util.ArrayList;
import java.util.List;

/**
 * One Engine.IO (protocol 4) packet: a one-digit type and an optional text payload. Over WebSocket each
 * packet is one frame; over HTTP long-polling several packets travel in one body, separated by the record
 * separator {@code \x1e}, binary ones base64-encoded behind a {@code b}. Parley refuses binary payloads,
 * so a decoded binary packet is only marked as such and its data is not kept.
 *
 * @param type   the packet type
 * @param data   the payload ({@code ""} when there is none; never null)
 * @param binary true for a binary message (data dropped)
 */
record EnginePacket(Type type, String data, boolean binary) {
    /** Separates packets in a long-polling body. */
    static final char SEPARATOR = '\u001e';

    enum Type {
        OPEN, CLOSE, PING, PONG, MESSAGE, UPGRADE, NOOP;

        char code() {
            return (char) ('0' + ordinal());
        }
    }

    static final EnginePacket PING = new EnginePacket(Type.PING, "", false);
    static final EnginePacket NOOP = new EnginePacket(Type.NOOP, "", false);
    static final EnginePacket CLOSE = new EnginePacket(Type.CLOSE, "", false);

    EnginePacket {
        if (data == null) {
            data = "";
        }
    }

    static EnginePacket message(String data) {
        return new EnginePacket(Type.MESSAGE, data, false);
    }

    static EnginePacket of(Type type, String data) {
        return new EnginePacket(type, data, false);
    }

    /** The packet as one WebSocket text frame or one element of a polling payload. */
    String encode() {
        return type.code() + data;
    }

    /**
     * Decodes one text packet.
     *
     * @throws IllegalArgumentException when it is empty or its type is not one of the seven
     */
    static EnginePacket decode(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty Engine.IO packet");
        }
        char c = text.charAt(0);
        if (c < '0' || c > '6') {
            throw new IllegalArgumentException("unknown Engine.IO packet type");
        }
        return new EnginePacket(Type.values()[c - '0'], text.substring(1), false);
    }

    /** A binary WebSocket frame: a message whose bytes Parley does not accept. */
    static EnginePacket binaryMessage() {
        return new EnginePacket(Type.MESSAGE, "", true);
    }

    /**
     * Splits a long-polling request body into packets; {@code b…} elements are binary messages.
     *
     * @throws IllegalArgumentException when an element is not a packet
     */
    static List<EnginePacket> decodePayload(String body) {
        List<EnginePacket> packets = new ArrayList<>();
        int start = 0;
        while (start <= body.length()) {
            int end = body.indexOf(SEPARATOR, start);
            if (end < 0) {
                end = body.length();
            }
            String part = body.substring(start, end);
            packets.add(!part.isEmpty() && part.charAt(0) == 'b' ? binaryMessage() : decode(part));
            start = end + 1;
        }
        return packets;
    }

    /** Joins encoded packets into one long-polling response body. */
    static String encodePayload(List<String> encodedPackets) {
        return String.join(String.valueOf(SEPARATOR), encodedPackets);
    }
}
