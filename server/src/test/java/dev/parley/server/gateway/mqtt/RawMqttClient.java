package dev.parley.server.gateway.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A byte-exact MQTT client over a real TCP socket, built on the same Netty codec the server uses,
 * for what client libraries will not do on purpose: DUP retransmissions with a chosen packet id,
 * reading reason codes, staying silent past the keep-alive, oversized packets.
 */
final class RawMqttClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final MqttCodec codec;
    private final LinkedBlockingQueue<MqttMessage> inbox = new LinkedBlockingQueue<>();
    private volatile boolean eof;
    private final Object codecLock = new Object();

    RawMqttClient(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        codec = new MqttCodec(16 * 1024 * 1024, 1024);
        Thread reader = new Thread(this::read, "raw-mqtt-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        byte[] buf = new byte[65536];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                List<MqttMessage> got;
                synchronized (codecLock) {
                    got = codec.decode(Unpooled.copiedBuffer(buf, 0, n));
                }
                inbox.addAll(got);
            }
        } catch (IOException ignored) {
            // closed
        }
        eof = true;
    }

    void send(MqttMessage m) {
        ByteBuf bytes;
        synchronized (codecLock) {
            bytes = codec.encode(m);
        }
        byte[] raw = new byte[bytes.readableBytes()];
        bytes.readBytes(raw);
        bytes.release();
        sendBytes(raw);
    }

    /** Writes raw bytes; a server that closes mid-write is seen by {@link #awaitClosed}, not here. */
    void sendBytes(byte[] raw) {
        try {
            out.write(raw);
            out.flush();
        } catch (IOException e) {
            eof = true;
        }
    }

    /** CONNECT and the CONNACK answering it. */
    MqttConnAckMessage connect(int version, String clientId, String user, String password, boolean clean,
                               int keepAlive, MqttProperties props) {
        return connect(version, clientId, user, password, clean, keepAlive, props, null, null);
    }

    MqttConnAckMessage connect(int version, String clientId, String user, String password, boolean clean,
                               int keepAlive, MqttProperties props, String willTopic, String willBody) {
        boolean will = willTopic != null;
        var vh = new MqttConnectVariableHeader(version == 5 ? "MQTT" : "MQTT", version, user != null,
                password != null, false, will ? 1 : 0, will, clean, keepAlive,
                props == null ? MqttProperties.NO_PROPERTIES : props);
        var payload = new MqttConnectPayload(clientId, MqttProperties.NO_PROPERTIES, willTopic,
                will ? willBody.getBytes(StandardCharsets.UTF_8) : null, user,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8));
        send(new MqttConnectMessage(new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE,
                false, 0), vh, payload));
        return (MqttConnAckMessage) await(m -> m.fixedHeader().messageType() == MqttMessageType.CONNACK);
    }

    void publish(String topic, int qos, int packetId, boolean dup, boolean retain, byte[] body) {
        send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0),
                new MqttPublishVariableHeader(topic, qos == 0 ? -1 : packetId, MqttProperties.NO_PROPERTIES),
                Unpooled.wrappedBuffer(body)));
    }

    void publish(String topic, int qos, int packetId, boolean dup, String body) {
        publish(topic, qos, packetId, dup, false, body.getBytes(StandardCharsets.UTF_8));
    }

    void subscribe(int packetId, int qos, String... filters) {
        List<MqttTopicSubscription> subs = java.util.Arrays.stream(filters)
                .map(f -> new MqttTopicSubscription(f, MqttSubscriptionOption.onlyFromQos(MqttQoS.valueOf(qos))))
                .toList();
        send(new MqttSubscribeMessage(new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE,
                false, 0), new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubscribePayload(subs)));
    }

    void unsubscribe(int packetId, String... filters) {
        send(new io.netty.handler.codec.mqtt.MqttUnsubscribeMessage(new MqttFixedHeader(MqttMessageType.UNSUBSCRIBE,
                false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new io.netty.handler.codec.mqtt.MqttUnsubscribePayload(List.of(filters))));
    }

    void pubAck(int packetId) {
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, (byte) 0, MqttProperties.NO_PROPERTIES)));
    }

    void pubRel(int packetId) {
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId)));
    }

    void disconnect() {
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)));
    }

    MqttMessage await(Predicate<MqttMessage> match) {
        return await(match, 10_000);
    }

    MqttMessage await(Predicate<MqttMessage> match, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        try {
            while (System.currentTimeMillis() < deadline) {
                MqttMessage m = inbox.poll(50, TimeUnit.MILLISECONDS);
                if (m != null && match.test(m)) {
                    return m;
                }
                if (m == null && eof && inbox.isEmpty()) {
                    throw new AssertionError("connection closed while waiting");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("timed out waiting for a packet");
    }

    MqttMessage awaitType(MqttMessageType type) {
        return await(m -> m.fixedHeader().messageType() == type);
    }

    /** Waits until the server closes the connection; returns the packets received meanwhile. */
    List<MqttMessage> awaitClosed(long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!eof && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!eof) {
            throw new AssertionError("the server did not close the connection");
        }
        List<MqttMessage> rest = new java.util.ArrayList<>();
        inbox.drainTo(rest);
        return rest;
    }

    /** Waits up to {@code ms}; returns what arrived (the connection may stay open). */
    List<MqttMessage> awaitClosedOrNothing(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<MqttMessage> rest = new java.util.ArrayList<>();
        inbox.drainTo(rest);
        return rest;
    }

    boolean isClosed() {
        return eof;
    }

    /** Drops everything received so far. */
    void clear() {
        inbox.clear();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    static byte reason(MqttMessage m) {
        // An MQTT 5 success without properties may be sent as a bare packet id.
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() : 0;
    }

    static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }
}
