package dev.parley.server.gateway.ws;

import dev.parley.protocol.Json;
import dev.parley.protocol.ServerFrame;

/**
 * One server frame encoded once, however many sockets it goes to. Immutable and safe to share across
 * threads.
 */
public final class OutFrame {
    private final String json;

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
}
