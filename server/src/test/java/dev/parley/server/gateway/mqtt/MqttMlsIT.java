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

    private static String payload(MqttPublishMessage p) {
        byte[] bytes = new byte[p.payload().readableBytes()];
        p.payload().getBytes(p.payload().readerIndex(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
