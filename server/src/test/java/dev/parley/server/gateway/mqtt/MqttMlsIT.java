package dev.parley.server.gateway.mqtt;

import static dev.parley.server.mls.MlsDevice.kps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.mls.MlsDevice;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLS Delivery Service's Welcome routing on the MQTT gateway: a device subscribed to an e2ee conversation's
 * log gets the commit and the ciphertext in order, and never a Welcome addressed to another device.
 */
class MqttMlsIT {
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

    @Test
    void aLogSubscriberNeverGetsAnotherDevicesWelcome() {
        var alice = api.user("mqmls_a");
        var bob = api.user("mqmls_b");
        var bobMqtt = api.signIn("mqmls_b");
        var created = api.post("/v1/conversations", alice.token(),
                Map.of("kind", "group", "members", List.of(bob.userId()), "e2ee", true));
        String c = created.body().path("conversationId").asText();
        try (var a = new MlsDevice(server.port(), alice); var b = new MlsDevice(server.port(), bob);
             var m = new RawMqttClient(server.mqttPort())) {
            MqttConnAckMessage ack = m.connect(5, "mqmls", bobMqtt.handle(), bobMqtt.token(), true, 30,
                    MqttProperties.NO_PROPERTIES);
            assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            m.subscribe(1, 1, "conversations/" + c + "/log");
            m.awaitType(MqttMessageType.SUBACK);

            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b), List.of());
            assertThat(a.sendCommit(c, add).path("seq").asLong()).isEqualTo(1);
            add.pending().merge();
            assertThat(a.sendWelcome(c, add, bob.deviceId()).path("seq").asLong()).isEqualTo(2);
            assertThat(a.sendText(c, "to bob").path("seq").asLong()).isEqualTo(3);

            List<Long> seqs = new ArrayList<>();
            while (!seqs.contains(3L)) {
                MqttPublishMessage p = (MqttPublishMessage) m.await(x -> x instanceof MqttPublishMessage, 20_000);
                JsonNode entry = Json.decodeBody(payload(p).getBytes(StandardCharsets.UTF_8), JsonNode.class);
                seqs.add(entry.path("seq").asLong());
                m.pubAck(p.variableHeader().packetId());
            }
            assertThat(seqs).containsExactly(1L, 3L);
        }
    }

    private static byte puback(RawMqttClient m, int packetId) {
        return RawMqttClient.reason(m.await(x -> x.fixedHeader().messageType() == MqttMessageType.PUBACK
                && RawMqttClient.packetId(x) == packetId, 20_000));
    }

    @Test
    void commitsAndWelcomesArePublishedOnTheMlsTopic() {
        var alice = api.user("mqc_a");
        var bob = api.user("mqc_b");
        var eve = api.user("mqc_e");
        var created = api.post("/v1/conversations", alice.token(),
                Map.of("kind", "group", "members", List.of(bob.userId()), "e2ee", true));
        String c = created.body().path("conversationId").asText();
        String topic = "conversations/" + c + "/mls";
        try (var a = new MlsDevice(server.port(), alice); var b = new MlsDevice(server.port(), bob);
             var m = new RawMqttClient(server.mqttPort()); var e = new RawMqttClient(server.mqttPort())) {
            assertThat(m.connect(5, "mqc", alice.handle(), alice.token(), true, 30, MqttProperties.NO_PROPERTIES)
                    .variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b), List.of());
            byte[] commit = Json.encode(Map.of("kind", "mls-commit", "body", MlsDevice.b64(add.commit().encode()),
                    "epoch", 0, "groupContext", a.context())).getBytes(StandardCharsets.UTF_8);

            // A non-member's publish is refused; the member's is stored (PUBACK once durable).
            assertThat(e.connect(5, "mqc-e", eve.handle(), eve.token(), true, 30, MqttProperties.NO_PROPERTIES)
                    .variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            e.publish(topic, 1, 1, false, false, commit);
            assertThat(puback(e, 1)).isEqualTo((byte) 0x87);
            m.publish(topic, 1, 1, false, false, commit);
            assertThat(puback(m, 1)).isEqualTo((byte) 0x00);
            add.pending().merge();
            assertThat(api.get("/v1/conversations/" + c, alice.token()).body().path("epoch").asLong()).isEqualTo(1);
            // The same Commit as a new message: its epoch is gone (conflict, 0x83 in MQTT 5).
            m.publish(topic, 1, 2, false, false, commit);
            assertThat(puback(m, 2)).isEqualTo((byte) 0x83);
            // Malformed handshake payloads.
            m.publish(topic, 1, 3, false, false, "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(puback(m, 3)).isEqualTo((byte) 0x99);
            m.publish(topic, 1, 4, false, false, "{\"kind\":\"text\",\"body\":\"AAAA\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(puback(m, 4)).isEqualTo((byte) 0x99);

            // The Welcome over MQTT reaches bob's device, which joins and reads alice.
            m.publish(topic, 1, 5, false, false, Json.encode(Map.of("kind", "mls-welcome", "body",
                    MlsDevice.b64(add.welcome().orElseThrow().encode()), "recipients", List.of(bob.deviceId())))
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(puback(m, 5)).isEqualTo((byte) 0x00);
            JsonNode page = api.get("/v1/conversations/" + c + "/messages?after=0", bob.token()).body().path("messages");
            String welcome = null;
            for (JsonNode entry : page) {
                if ("mls-welcome".equals(entry.path("kind").asText())) {
                    welcome = entry.path("body").asText();
                }
            }
            assertThat(welcome).isNotNull();
            b.join(welcome);
            JsonNode sent = a.sendText(c, "handshakes over MQTT");
            JsonNode text = api.get("/v1/conversations/" + c + "/messages?after=" + (sent.path("seq").asLong() - 1),
                    bob.token()).body().path("messages").get(0);
            assertThat(b.decrypt(text.path("body").asText())).isEqualTo("handshakes over MQTT");
        }
    }

    private static String payload(MqttPublishMessage p) {
        byte[] bytes = new byte[p.payload().readableBytes()];
        p.payload().getBytes(p.payload().readerIndex(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
