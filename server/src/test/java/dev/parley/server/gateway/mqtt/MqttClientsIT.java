package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Independent MQTT clients against a real node: Eclipse Paho (3.1.1 and 5.0, over TCP and over the
 * WebSocket at {@code /v1/mqtt}) and Debian's {@code mosquitto_pub}/{@code mosquitto_sub} as processes,
 * in the same conversations as WebSocket users.
 */
class MqttClientsIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = ParleyServer.start(ServerConfig.embedded(data, 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withMqtt(MqttConfig.defaults().withPort(0))
                .withSecurity(TestServers.LENIENT_SECURITY));
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What a Paho 5 client received: topic, body and the {@code seq} user property. */
    record Got(String topic, String body, long seq) {
    }

    static final class Recorder implements MqttCallback {
        final List<Got> got = new CopyOnWriteArrayList<>();
        volatile MqttDisconnectResponse disconnected;

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            disconnected = response;
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            long seq = -1;
            for (UserProperty p : message.getProperties().getUserProperties()) {
                if (p.getKey().equals("seq")) {
                    seq = Long.parseLong(p.getValue());
                }
            }
            got.add(new Got(topic, new String(message.getPayload(), StandardCharsets.UTF_8), seq));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    private static MqttClient paho5(String uri, String clientId, Api.Session user, Recorder recorder) throws Exception {
        MqttClient client = new MqttClient(uri, clientId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.setCallback(recorder);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user.handle());
        options.setPassword(user.token().getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        client.connect(options);
        return client;
    }

    @Test
    void webSocketAndMqttUsersBothSendAndBothReceiveEverythingOnceInOrder() throws Exception {
        var wsUser = api.user("mc_ws");
        var mqttUser = api.user("mc_mq");
        String c = api.group(wsUser, "mixed", mqttUser);
        Recorder recorder = new Recorder();
        MqttClient mqtt = paho5("tcp://127.0.0.1:" + server.mqttPort(), "mixed-1", mqttUser, recorder);
        try (var ws = WsClient.connect(server.port(), wsUser.token())) {
            assertThat(mqtt.subscribe("conversations/" + c, 1).getReasonCodes()).containsExactly(1);
            int n = 20;
            Thread publisher = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        mqtt.publish("conversations/" + c, ("from mqtt " + i).getBytes(StandardCharsets.UTF_8), 1,
                                false);
                    }
                } catch (MqttException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < n; i++) {
                ws.request("send", "conversationId", c, "clientMsgId", "w" + i, "body", "from ws " + i);
            }
            publisher.join(Duration.ofSeconds(30));

            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.got.size() >= 2 * n);
            List<JsonNode> wsSaw = new ArrayList<>();
            for (int i = 0; i < 2 * n; i++) {
                wsSaw.add(ws.await(f -> "message".equals(f.path("t").asText()), Duration.ofSeconds(20)));
            }
            wsSaw.addAll(ws.drain("message", Duration.ofMillis(300))); // nothing more may come
            assertThat(recorder.got).hasSize(2 * n);
            assertThat(recorder.got).extracting(Got::seq)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 2 * n).boxed().toList());
            assertThat(wsSaw).extracting(f -> f.path("seq").asLong())
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 2 * n).boxed().toList());
            // Both saw the same bodies in the same order, each once.
            assertThat(recorder.got).extracting(Got::body)
                    .containsExactlyElementsOf(wsSaw.stream().map(f -> f.path("body").asText()).toList());
            assertThat(recorder.got).extracting(Got::body).filteredOn(b -> b.startsWith("from mqtt"))
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, n).mapToObj(i -> "from mqtt " + i)
                            .toList());
        } finally {
            mqtt.disconnect();
            mqtt.close();
        }
    }

    @Test
    void paho5OverTheWebSocketOnTheMainPort() throws Exception {
        var a = api.user("mc_wsa");
        var b = api.user("mc_wsb");
        var x = api.user("mc_wsx");
        String c = api.direct(a, b);
        String notMine = api.direct(b, x);
        Recorder recorder = new Recorder();
        MqttClient mqtt = paho5("ws://127.0.0.1:" + server.port() + "/v1/mqtt", "over-ws", a, recorder);
        try {
            assertThat(mqtt.subscribe("conversations/" + c, 1).getReasonCodes()).containsExactly(1);
            assertThat(mqtt.subscribe("conversations/" + notMine, 1).getReasonCodes()).containsExactly(0x87);
            mqtt.publish("conversations/" + c, "over a websocket".getBytes(StandardCharsets.UTF_8), 1, false);
            await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.got.isEmpty());
            assertThat(recorder.got.getFirst()).isEqualTo(new Got("conversations/" + c, "over a websocket", 1));
            Api.Response r = api.get("/v1/conversations/" + c + "/messages", b.token());
            assertThat(r.body().path("messages").get(0).path("body").asText()).isEqualTo("over a websocket");
        } finally {
            mqtt.disconnect();
            mqtt.close();
        }
    }

    @Test
    void paho311PersistentSessionReceivesWhatWasSentWhileAway() throws Exception {
        var a = api.user("mc_p3a");
        var b = api.user("mc_p3b");
        String c = api.direct(a, b);
        List<String> got = new CopyOnWriteArrayList<>();
        var client = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "p3-away",
                new MemoryPersistence());
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                got.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(b.handle());
        options.setPassword(b.token().toCharArray());
        options.setCleanSession(false);
        client.connect(options);
        assertThat(client.subscribeWithResponse("conversations/" + c, 1).getGrantedQos()).containsExactly(1);
        client.disconnect();

        try (var ws = WsClient.connect(server.port(), a.token())) {
            for (int i = 1; i <= 5; i++) {
                ws.call("send", "conversationId", c, "clientMsgId", "p" + i, "body", "away " + i);
            }
        }
        client.connect(options);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 5);
            Thread.sleep(300);
            assertThat(got).containsExactly("away 1", "away 2", "away 3", "away 4", "away 5");
        } finally {
            client.disconnect();
            client.close();
        }
    }

    // ---- mosquitto ---------------------------------------------------------------------------

    /** Skips without mosquitto's clients, except under {@code CI=true}, where their absence fails the run. */
    private static void requireMosquitto() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/mosquitto_sub"))
                && Files.isExecutable(Path.of("/usr/bin/mosquitto_pub")) && Files.isExecutable(Path.of("/usr/bin/stdbuf"));
        String message = "mosquitto_pub/mosquitto_sub not installed (Debian: apt-get install mosquitto-clients)";
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + " [CI=true: failing instead of skipping]");
        }
        Assumptions.assumeTrue(present, message);
    }

    /** Runs a client with line-buffered output (so a test can watch it) into {@code out}. */
    private static Process run(Path out, String... command) throws IOException {
        List<String> line = new ArrayList<>(List.of("stdbuf", "-oL"));
        line.addAll(List.of(command));
        return new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void mosquittoPubAndSubInBothProtocolVersions(@TempDir Path tmp) throws Exception {
        requireMosquitto();
        var a = api.user("mc_mosa");
        var b = api.user("mc_mosb");
        String c = api.direct(a, b);
        String port = Integer.toString(server.mqttPort());
        for (String version : new String[] {"mqttv311", "mqttv5"}) {
            Path subOut = tmp.resolve("sub-" + version + ".txt");
            Process sub = run(subOut, "mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", version, "-q", "1",
                    "-i", "sub-" + version, "-u", b.handle(), "-P", b.token(), "-t", "conversations/" + c, "-C", "2",
                    "-d", "-W", "30");
            await().atMost(Duration.ofSeconds(10)).until(() -> read(subOut).contains("received SUBACK"));

            Path pubOut = tmp.resolve("pub-" + version + ".txt");
            Process pub = run(pubOut, "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", version, "-q", "1",
                    "-u", a.handle(), "-P", a.token(), "-t", "conversations/" + c, "-m", "hello from mosquitto " + version);
            assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(pub.exitValue()).as(read(pubOut)).isZero(); // exits 0 once the PUBACK came
            try (var ws = WsClient.connect(server.port(), a.token())) {
                ws.call("send", "conversationId", c, "clientMsgId", "mos-" + version, "body", "and from the websocket");
            }
            assertThat(sub.waitFor(20, TimeUnit.SECONDS)).as(read(subOut)).isTrue();
            assertThat(read(subOut)).contains("hello from mosquitto " + version + "\n")
                    .contains("and from the websocket\n");
            assertThat(read(subOut).indexOf("hello from mosquitto")).isLessThan(read(subOut).indexOf("and from the websocket"));
        }
        // Bad token: refused at CONNECT.
        Path badOut = tmp.resolve("bad.txt");
        Process bad = run(badOut, "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-q", "1",
                "-u", a.handle(), "-P", "pt_wrong", "-t", "conversations/" + c, "-m", "nope");
        assertThat(bad.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isNotZero();
        assertThat(read(badOut)).containsIgnoringCase("not authorized");
        // Retained: refused. (3.1.1: libmosquitto's 5.0 client clears the flag itself, as the CONNACK says
        // "Retain Available: 0"; the 5.0 refusal is asserted byte-exact in MqttGatewayIT.)
        Path retOut = tmp.resolve("ret.txt");
        Process ret = run(retOut, "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-q", "1", "-r",
                "-u", a.handle(), "-P", a.token(), "-t", "conversations/" + c, "-m", "retained");
        assertThat(ret.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(ret.exitValue()).as(read(retOut)).isNotZero();
        assertThat(read(retOut)).contains("connection was lost");
        // $SYS: refused.
        Path sysOut = tmp.resolve("sys.txt");
        Process sys = run(sysOut, "mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5",
                "-u", a.handle(), "-P", a.token(), "-t", "$SYS/#", "-W", "5");
        assertThat(sys.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(read(sysOut)).as(read(sysOut)).containsIgnoringCase("denied");

        Api.Response r = api.get("/v1/conversations/" + c + "/messages", b.token());
        List<String> bodies = new ArrayList<>();
        r.body().path("messages").forEach(m -> bodies.add(m.path("body").asText()));
        assertThat(bodies).containsExactly("hello from mosquitto mqttv311", "and from the websocket",
                "hello from mosquitto mqttv5", "and from the websocket");
    }
}
