package dev.parley.bench.driver;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * MQTT 3.1.1 at QoS 1 with the identical workload: one topic per conversation, every member subscribes
 * to its conversation's topic and publishes to it. A publish is acknowledged by PUBACK, the broker's
 * equivalent of Parley's durable {@code sent}. The same code drives Mosquitto and Parley's own MQTT
 * gateway; only the {@link MqttNaming} (topics, credentials, setup) differs.
 */
public final class MqttDriver implements Driver {
    private final Vertx vertx;
    private final String name;
    private final String host;
    private final int port;
    private final String runId;
    private final MqttNaming naming;
    private volatile boolean prepared;

    /** A plain broker ({@link MqttNaming#broker}). */
    public MqttDriver(Vertx vertx, String name, String host, int port) {
        this(vertx, name, host, port, null);
    }

    /** A server that names topics and clients its own way; {@code naming} null = a plain broker. */
    public MqttDriver(Vertx vertx, String name, String host, int port, MqttNaming naming) {
        this.vertx = vertx;
        this.name = name;
        this.host = host;
        this.port = port;
        this.runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        this.naming = naming != null ? naming : MqttNaming.broker(runId);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void prepare(Topology topology) throws Exception {
        naming.prepare(topology);
        prepared = true;
    }

    @Override
    public boolean echoesToSender() {
        return true;
    }

    @Override
    public Future<DriverConnection> connect(ClientSpec spec, Listener listener) {
        if (!prepared) {
            return Future.failedFuture(new IllegalStateException("prepare() first"));
        }
        MqttClientOptions options = new MqttClientOptions()
                .setClientId("bench-" + runId + "-" + spec.client())
                .setCleanSession(!spec.persistent())
                .setKeepAliveInterval(120)
                .setMaxInflightQueue(65_535)
                .setAckTimeout(-1)
                .setMaxMessageSize(1 << 20);
        options.setAutoAck(true);
        options.setUsername(naming.username(spec.member()));
        options.setPassword(naming.password(spec.member()));
        options.setTcpNoDelay(true);
        options.setConnectTimeout(60_000);
        if (spec.localAddress() != null) {
            options.setLocalAddress(spec.localAddress());
        }
        MqttClient client = MqttClient.create(vertx, options);
        String topic = naming.topic(spec.member());
        MqttConnection c = new MqttConnection(client, topic, listener);
        client.publishHandler(m -> listener.onMessage(m.payload().toString(StandardCharsets.ISO_8859_1), System.nanoTime()));
        client.publishCompletionHandler(c::onPubAck);
        client.exceptionHandler(e -> listener.onError("mqtt: " + e.getMessage()));
        client.closeHandler(v -> listener.onClosed());
        Promise<DriverConnection> ready = Promise.promise();
        client.connect(port, host).onFailure(ready::tryFail).onSuccess(ack -> {
            c.context = Vertx.currentContext();
            if (spec.persistent() && ack.isSessionPresent()) {
                ready.tryComplete(c); // the broker kept the subscription and replays the queue itself
                return;
            }
            client.subscribe(topic, MqttQoS.AT_LEAST_ONCE.value());
            client.subscribeCompletionHandler(sub -> ready.tryComplete(c));
        });
        return ready.future();
    }

    @Override
    public void close() {
        // clients are closed by their connections
    }

    private static final class MqttConnection implements DriverConnection {
        private final MqttClient client;
        private final String topic;
        private final Listener listener;
        /** packet id → send token, for PUBACKs; confined to the connection's event loop. */
        private final Map<Integer, Long> pending = new HashMap<>();
        private final Set<Integer> earlyAcks = new HashSet<>();
        Context context;

        MqttConnection(MqttClient client, String topic, Listener listener) {
            this.client = client;
            this.topic = topic;
            this.listener = listener;
        }

        @Override
        public Context context() {
            return context;
        }

        @Override
        public void send(String body, long token) {
            client.publish(topic, Buffer.buffer(body.getBytes(StandardCharsets.ISO_8859_1)), MqttQoS.AT_LEAST_ONCE,
                    false, false).onComplete(ar -> {
                        if (ar.failed()) {
                            listener.onError("publish: " + ar.cause().getMessage());
                        } else if (earlyAcks.remove(ar.result())) {
                            listener.onAck(token, System.nanoTime());
                        } else {
                            pending.put(ar.result(), token);
                        }
                    });
        }

        void onPubAck(int packetId) {
            Long token = pending.remove(packetId);
            if (token == null) {
                earlyAcks.add(packetId);
            } else {
                listener.onAck(token, System.nanoTime());
            }
        }

        @Override
        public void catchUp(long afterSeq) {
            // the broker replays a persistent session's queue on connect
        }

        @Override
        public long lastSeq() {
            return 0;
        }

        @Override
        public Future<Void> close() {
            return client.disconnect();
        }
    }
}
