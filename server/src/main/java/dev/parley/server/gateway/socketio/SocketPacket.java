package dev.parley.server.gateway.socketio;

/**
 * One Socket.IO (protocol 5, used by Socket.IO v3 and v4) packet, carried as the text of an Engine.IO
 * message: {@code <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]}. The namespace is
 * written only when it is not the main one ({@code /}).
 *
 * @param type        the packet type
 * @param namespace   {@code /} or {@code /name}
 * @param ackId       the acknowledgement id, or null
 * @param attachments number of binary attachments that follow (binary packets only)
 * @param payload     the raw JSON payload, or null when there is none
 */
record SocketPacket(Type type, String namespace, Long ackId, int attachments, String payload) {
    static final String MAIN = "/";
    /** Ack ids are JavaScript numbers; more digits than this cannot be a real one. */
    private static final int MAX_ACK_DIGITS = 15;
    private static final int MAX_NAMESPACE_CHARS = 256;

    enum Type {
        CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK;

        boolean binary() {
            return this == BINARY_EVENT || this == BINARY_ACK;
        }
    }

    SocketPacket {
        if (namespace == null || namespace.isEmpty()) {
            namespace = MAIN;
        }
    }

    static SocketPacket connected(String sid) {
        return new SocketPacket(Type.CONNECT, MAIN, null, 0, "{\"sid\":\"" + sid + "\"}");
    }

    /** A refused namespace connection; {@code messageJson} is the message as a JSON string literal. */
    static SocketPacket connectError(String namespace, String messageJson) {
        return new SocketPacket(Type.CONNECT_ERROR, namespace, null, 0, "{\"message\":" + messageJson + "}");
    }

    static SocketPacket disconnect() {
        return new SocketPacket(Type.DISCONNECT, MAIN, null, 0, null);
    }

    /** An event with one argument, already encoded as JSON. */
    static SocketPacket event(String name, String argumentJson) {
        return new SocketPacket(Type.EVENT, MAIN, null, 0, "[\"" + name + "\"," + argumentJson + "]");
    }

    /** The answer to an event that asked for one, with one argument already encoded as JSON. */
    static SocketPacket ack(long ackId, String argumentJson) {
        return new SocketPacket(Type.ACK, MAIN, ackId, 0, "[" + argumentJson + "]");
    }

    String encode() {
        StringBuilder sb = new StringBuilder(16 + (payload == null ? 0 : payload.length()));
        sb.append((char) ('0' + type.ordinal()));
        if (type.binary()) {
            sb.append(attachments).append('-');
        }
        if (!MAIN.equals(namespace)) {
            sb.append(namespace).append(',');
        }
        if (ackId != null) {
            sb.append(ackId);
        }
        if (payload != null) {
            sb.append(payload);
        }
        return sb.toString();
    }

    /**
     * Decodes the header of a packet; the payload is kept as text for the caller to parse.
     *
     * @throws IllegalArgumentException when the header is malformed
     */
    static SocketPacket decode(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty Socket.IO packet");
        }
        char c = text.charAt(0);
        if (c < '0' || c > '6') {
            throw new IllegalArgumentException("unknown Socket.IO packet type");
        }
        Type type = Type.values()[c - '0'];
        int i = 1;
        int attachments = 0;
        if (type.binary()) {
            int dash = text.indexOf('-', i);
            if (dash < 0 || dash == i || dash - i > 6 || !digits(text, i, dash)) {
                throw new IllegalArgumentException("malformed attachment count");
            }
            attachments = Integer.parseInt(text, i, dash, 10);
            i = dash + 1;
        }
        String namespace = MAIN;
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? text.length() : comma;
            if (end - i > MAX_NAMESPACE_CHARS) {
                throw new IllegalArgumentException("namespace too long");
            }
            namespace = text.substring(i, end);
            i = comma < 0 ? end : comma + 1;
        }
        int idStart = i;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        Long ackId = null;
        if (i > idStart) {
            if (i - idStart > MAX_ACK_DIGITS) {
                throw new IllegalArgumentException("ack id too long");
            }
            ackId = Long.parseLong(text, idStart, i, 10);
        }
        String payload = i < text.length() ? text.substring(i) : null;
        return new SocketPacket(type, namespace, ackId, attachments, payload);
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
