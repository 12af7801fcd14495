package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privacy of presence on MQTT's {@code users/me/events} (docs/security.md): a stranger who opened a direct
 * conversation gets no presence of the recipient, neither in the snapshot sent on subscribing nor live, until
 * the recipient accepts.
 */
class MqttPresencePrivacyIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;
    static int mqttPort;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(MqttConfig.defaults().withPort(0)).withSecurity(TestServers.LENIENT_SECURITY);
        server = ParleyServer.start(config);
        api = new Api(server.port());
        mqttPort = server.mqttPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(MqttMessage m) {
        try {
            return Json.mapper().readTree(((MqttPublishMessage) m).payload().toString(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean presenceOf(MqttMessage m, Api.Session who) {
        if (!(m instanceof MqttPublishMessage p) || !"users/me/events".equals(p.variableHeader().topicName())) {
            return false;
        }
        JsonNode f = json(m);
        return "presence".equals(f.path("t").asText()) && who.userId().equals(f.path("userId").asText());
    }

    /** Pings and returns every presence event of {@code who} that arrived before the answer. */
    private static List<MqttMessage> presenceBeforePong(RawMqttClient m, Api.Session who) {
        List<MqttMessage> seen = new ArrayList<>();
        m.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        m.await(x -> {
            if (presenceOf(x, who)) {
                seen.add(x);
            }
            return x.fixedHeader().messageType() == MqttMessageType.PINGRESP;
        });
        return seen;
    }

    @Test
    void aStrangersEventsCarryNoPresenceOfTheRecipientUntilSheAccepts() {
        var rita = api.user("mpp_rita");
        var stranger = api.user("mpp_stranger");
        var r1 = WsClient.connect(server.port(), rita.token());
        String dm = api.direct(stranger, rita);
        try (var m = new RawMqttClient(mqttPort)) {
            MqttConnAckMessage ack = m.connect(5, "mpp", stranger.handle(), stranger.token(), true, 30,
                    MqttProperties.NO_PROPERTIES);
            assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            m.subscribe(1, 0, "users/me/events");
            m.awaitType(MqttMessageType.SUBACK);
            assertThat(presenceBeforePong(m, rita)).isEmpty(); // the snapshot left her out

            r1.close();
            try (var r2 = WsClient.connect(server.port(), rita.token())) {
                r2.call("ping");
                assertThat(presenceBeforePong(m, rita)).isEmpty();

                assertThat(api.post("/v1/conversations/" + dm + "/accept", rita.token(), "").status()).isEqualTo(200);
                // Events of one conversation keep their order: a leaked "offline" would have come first.
                MqttMessage first = m.await(x -> presenceOf(x, rita));
                assertThat(json(first).path("state").asText()).isEqualTo("online");
            }
            MqttMessage offline = m.await(x -> presenceOf(x, rita));
            assertThat(json(offline).path("state").asText()).isEqualTo("offline");
            assertThat(json(offline).path("lastSeenMs").asLong()).isPositive();
        }
    }
}
