package dev.parley.server.gateway.mqtt;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;

/**
 * The transport under one MQTT connection: a TCP socket, or a WebSocket whose binary messages carry
 * the MQTT byte stream. The protocol engine sees only this seam (and tests can record it).
 */
interface MqttLink {

    /** Writes bytes; the future completes when they were handed to the network. Event loop only. */
    Future<Void> write(Buffer bytes);

    /** Closes the transport; the close handler runs once. */
    void close();

    void pause();

    void resume();

    /** Registers the handlers: received bytes (in order), and the end of the transport. */
    void start(Handler<Buffer> data, Handler<Void> closed);

    /** MQTT over TCP. */
    static MqttLink tcp(NetSocket socket) {
        return new MqttLink() {
            @Override
            public Future<Void> write(Buffer bytes) {
                return socket.write(bytes);
            }

            @Override
            public void close() {
                socket.close();
            }

            @Override
            public void pause() {
                socket.pause();
            }

            @Override
            public void resume() {
                socket.resume();
            }

            @Override
            public void start(Handler<Buffer> data, Handler<Void> closed) {
                socket.handler(data);
                socket.closeHandler(closed);
                socket.exceptionHandler(e -> socket.close());
            }
        };
    }

    /**
     * MQTT over WebSocket: MQTT packets travel in binary messages; a message may hold part of a packet
     * or several packets (the codec reassembles the stream either way).
     */
    static MqttLink webSocket(ServerWebSocket ws) {
        return new MqttLink() {
            @Override
            public Future<Void> write(Buffer bytes) {
                return ws.writeBinaryMessage(bytes);
            }

            @Override
            public void close() {
                ws.close();
            }

            @Override
            public void pause() {
                ws.pause();
            }

            @Override
            public void resume() {
                ws.resume();
            }

            @Override
            public void start(Handler<Buffer> data, Handler<Void> closed) {
                ws.binaryMessageHandler(data);
                // MQTT over WebSocket is binary only (MQTT 5.0 section 6): a text message ends the connection.
                ws.textMessageHandler(text -> ws.close((short) 1003, "binary MQTT packets only"));
                ws.closeHandler(closed);
                ws.exceptionHandler(e -> ws.close());
            }
        };
    }
}
