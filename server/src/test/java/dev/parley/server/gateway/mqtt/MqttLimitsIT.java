package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.Limits;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConnectionConfig;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits on servers configured tight: the per-address connection cap and the per-user send rate. */
class MqttLimitsIT {

    @Test
    void connectionsBeyondTheCapFromOneAddressAreClosed(@TempDir Path data) {
        // The cap is shared with HTTP: the test's own HTTP client may hold a slot or two of the three.
        ServerConfig config = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(MqttConfig.defaults().withPort(0))
                .withConnections(ConnectionConfig.defaults().withAddressLimits(3, 0, 0));
        try (ParleyServer server = ParleyServer.start(config)) {
            Api api = new Api(server.port());
            var a = api.user("cap_a");
            List<RawMqttClient> admitted = new ArrayList<>();
            int refused = 0;
            for (int i = 0; i < 5; i++) {
                var m = new RawMqttClient(server.mqttPort());
                try {
                    m.connect(5, "c" + i, a.handle(), a.token(), true, 30, null);
                    admitted.add(m);
                } catch (AssertionError closedByTheServer) {
                    refused++;
                    m.close();
                }
            }
            assertThat(admitted).hasSizeBetween(1, 3);
            assertThat(refused).isEqualTo(5 - admitted.size());
            admitted.removeFirst().close();
            // The slot comes back once the server has seen the close.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (var again = new RawMqttClient(server.mqttPort())) {
                    assertThat(again.connect(4, "again", a.handle(), a.token(), true, 30, null).variableHeader()
                            .connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
                }
            });
            admitted.forEach(RawMqttClient::close);
        }
    }

    @Test
    void publishesOverTheSendRateAreRefusedAndStoreNothing(@TempDir Path data) {
        Limits d = Limits.defaults();
        Limits tight = new Limits(d.maxBodyBytes(), d.maxHandleLength(), d.minPasswordLength(), d.maxPasswordLength(),
                d.maxTitleLength(), d.maxDisplayNameLength(), d.maxMembers(), d.maxPageSize(), 0.1, 2,
                d.signInFailuresPerMinute(), d.typingTimeoutMs());
        ServerConfig config = ServerConfig.embedded(data, 0).withLimits(tight).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(MqttConfig.defaults().withPort(0));
        try (ParleyServer server = ParleyServer.start(config)) {
            Api api = new Api(server.port());
            var a = api.user("rate_a");
            var b = api.user("rate_b");
            String c = api.direct(a, b);
            try (var m = new RawMqttClient(server.mqttPort())) {
                m.connect(5, "r5", a.handle(), a.token(), true, 30, null);
                List<Byte> reasons = new ArrayList<>();
                for (int i = 1; i <= 4; i++) {
                    m.publish("conversations/" + c, 1, i, false, "m" + i);
                }
                for (int i = 1; i <= 4; i++) {
                    MqttMessage ack = m.awaitType(MqttMessageType.PUBACK);
                    assertThat(RawMqttClient.packetId(ack)).isEqualTo(i); // answers in PUBLISH order
                    reasons.add(RawMqttClient.reason(ack));
                }
                assertThat(reasons).containsExactly((byte) 0, (byte) 0, (byte) 0x97, (byte) 0x97);
            }
            try (var m = new RawMqttClient(server.mqttPort())) {
                m.connect(4, "r3", a.handle(), a.token(), true, 30, null);
                m.publish("conversations/" + c, 1, 1, false, "over the rate");
                m.awaitClosed(5_000);
            }
            var r = api.get("/v1/conversations/" + c + "/messages", b.token());
            assertThat(r.body().path("messages")).hasSize(2);
            // The server still serves: another user publishes.
            try (var m = new RawMqttClient(server.mqttPort())) {
                m.connect(5, "b5", b.handle(), b.token(), true, 30, null);
                m.publish("conversations/" + c, 1, 1, false, "from b");
                assertThat(RawMqttClient.reason(m.awaitType(MqttMessageType.PUBACK))).isEqualTo((byte) 0);
            }
        }
    }

    @Test
    void aSocketThatNeverConnectsIsClosedAndLongClientIdsAreRejected(@TempDir Path data) {
        ServerConfig config = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(MqttConfig.defaults().withPort(0))
                .withConnections(ConnectionConfig.defaults().withLiveness(500, 25_000, 20_000).withoutLimits());
        try (ParleyServer server = ParleyServer.start(config)) {
            Api api = new Api(server.port());
            var a = api.user("idle_a");
            try (var silent = new RawMqttClient(server.mqttPort())) {
                silent.awaitClosed(5_000);
            }
            String longId = "x".repeat(129);
            try (var m = new RawMqttClient(server.mqttPort())) {
                var ack = m.connect(4, longId, a.handle(), a.token(), true, 30, null);
                assertThat(ack.variableHeader().connectReturnCode())
                        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
                m.awaitClosed(5_000);
            }
            try (var m = new RawMqttClient(server.mqttPort())) {
                var ack = m.connect(5, longId, a.handle(), a.token(), true, 30, null);
                assertThat(ack.variableHeader().connectReturnCode())
                        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID);
                m.awaitClosed(5_000);
            }
            try (var m = new RawMqttClient(server.mqttPort())) {
                var ack = m.connect(5, "x".repeat(128), a.handle(), a.token(), true, 30, null);
                assertThat(ack.variableHeader().connectReturnCode())
                        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            }
        }
    }

    @Test
    void deliveryWaitsWhenTheInflightWindowIsFullAndResumesInOrder(@TempDir Path data) {
        MqttConfig mqtt = new MqttConfig(0, true, 3, 3600, 16, 100);
        ServerConfig config = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(mqtt);
        try (ParleyServer server = ParleyServer.start(config)) {
            Api api = new Api(server.port());
            var a = api.user("win_a");
            var b = api.user("win_b");
            String c = api.direct(a, b);
            try (var m = new RawMqttClient(server.mqttPort());
                 var ws = dev.parley.server.testing.WsClient.connect(server.port(), a.token())) {
                m.connect(4, "win", b.handle(), b.token(), true, 30, null);
                m.subscribe(1, 1, "conversations/" + c);
                m.awaitType(MqttMessageType.SUBACK);
                for (int i = 1; i <= 7; i++) {
                    ws.call("send", "conversationId", c, "clientMsgId", "w" + i, "body", "m" + i);
                }
                List<io.netty.handler.codec.mqtt.MqttPublishMessage> first = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    first.add((io.netty.handler.codec.mqtt.MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH));
                }
                // Three unacknowledged: nothing more until the client acknowledges.
                assertThat(m.awaitClosedOrNothing(500)).noneMatch(p -> p.fixedHeader().messageType()
                        == MqttMessageType.PUBLISH);
                List<String> bodies = new ArrayList<>();
                for (var p : first) {
                    bodies.add(p.payload().toString(java.nio.charset.StandardCharsets.UTF_8));
                    m.pubAck(p.variableHeader().packetId());
                }
                while (bodies.size() < 7) {
                    var p = (io.netty.handler.codec.mqtt.MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
                    bodies.add(p.payload().toString(java.nio.charset.StandardCharsets.UTF_8));
                    m.pubAck(p.variableHeader().packetId());
                }
                assertThat(bodies).containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7");
                assertThat(m.awaitClosedOrNothing(300)).noneMatch(p -> p.fixedHeader().messageType()
                        == MqttMessageType.PUBLISH);
            }
        }
    }
}
