package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking on the MQTT gateway over real TCP: a blocked user's PUBLISH into the direct conversation is refused
 * (MQTT 5: PUBACK 0x87 not authorized; nothing stored), and a blocker subscribed to {@code conversations/+} and
 * {@code users/me/events} gets none of the blocked user's messages or typing in a group, while another member's
 * message arrives.
 */
class MqttBlockIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(MqttConfig.defaults().withPort(0)).withSecurity(TestServers.LENIENT_SECURITY);
        server = ParleyServer.start(config);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawMqttClient connected(Api.Session user, String clientId) {
        RawMqttClient c = new RawMqttClient(server.mqttPort());
        MqttConnAckMessage ack = c.connect(5, clientId, user.handle(), user.token(), true, 30,
                MqttProperties.NO_PROPERTIES);
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return c;
    }

    private static String text(MqttMessage m) {
        return ((MqttPublishMessage) m).payload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBlockedUsersPublishIsRefusedAndTheBlockerGetsNothingLiveFromThem() {
        var alice = api.user("mq_bl_alice");
        var bob = api.user("mq_bl_bob");
        var carol = api.user("mq_bl_carol");
        String dm = api.direct(alice, bob);
        String g = api.group(alice, "mqtt block", bob, carol);
        assertThat(api.call("PUT", "/v1/me/blocks/" + bob.userId(), alice.token(), null).status()).isEqualTo(204);

        try (var b = connected(bob, "bl-bob")) {
            b.publish("conversations/" + dm, 1, 3, false, "let me in");
            MqttMessage ack = b.awaitType(MqttMessageType.PUBACK);
            assertThat(RawMqttClient.reason(ack)).isEqualTo((byte) 0x87);
        }
        assertThat(api.get("/v1/conversations/" + dm + "/messages?after=0", alice.token()).body().path("messages"))
                .isEmpty();

        try (var a = connected(alice, "bl-alice");
             var bws = WsClient.connect(server.port(), bob.token());
             var cws = WsClient.connect(server.port(), carol.token())) {
            a.subscribe(1, 1, "conversations/+", "users/me/events");
            a.awaitType(MqttMessageType.SUBACK);
            bws.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + g + "\",\"state\":\"start\"}");
            assertThat(bws.call("send", "conversationId", g, "clientMsgId", "b1", "body", "bob speaks").path("t")
                    .asText()).isEqualTo("sent");
            assertThat(cws.call("send", "conversationId", g, "clientMsgId", "c1", "body", "carol speaks").path("t")
                    .asText()).isEqualTo("sent");
            // await drops what does not match: keep every PUBLISH seen on the way to Carol's message.
            List<String> seen = new java.util.ArrayList<>();
            MqttPublishMessage carols = (MqttPublishMessage) a.await(p -> {
                if (!(p instanceof MqttPublishMessage pm)) {
                    return false;
                }
                seen.add(text(pm));
                if (pm.variableHeader().packetId() > 0) {
                    a.pubAck(pm.variableHeader().packetId());
                }
                return pm.variableHeader().topicName().equals("conversations/" + g);
            });
            assertThat(text(carols)).isEqualTo("carol speaks");
            // (presence is another filter's business: helper "privacy" hides it)
            assertThat(seen).noneMatch(t -> t.contains("bob speaks")
                    || t.contains("\"t\":\"typing\"") && t.contains(bob.userId()));
            List<MqttMessage> rest = a.awaitClosedOrNothing(300);
            assertThat(rest).noneMatch(p -> p instanceof MqttPublishMessage pm
                    && (text(pm).contains("bob speaks")
                    || text(pm).contains("\"t\":\"typing\"") && text(pm).contains(bob.userId())));
        }
    }
}
