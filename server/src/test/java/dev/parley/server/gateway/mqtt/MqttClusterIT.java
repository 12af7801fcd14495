package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on one PostgreSQL schema and one Redis: an MQTT subscriber on the first node, a WebSocket
 * user on the second and an MQTT publisher on the third share conversations; everyone gets everything
 * once, in order, whichever node it was sent to; and a persistent MQTT session follows its client from one
 * node to another.
 */
class MqttClusterIT {
    @TempDir
    static Path data;
    static TestDatabases.PostgresSchema schema;
    static String prefix;
    static final List<ParleyServer> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        prefix = TestRedis.freshPrefix();
        schema = TestDatabases.freshPostgresSchema();
        ServerConfig base = ServerConfig.embedded(data, 0)
                .withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, schema.url(), 4, 256, true))
                .withBus(new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, TestRedis.url(), prefix, false, false,
                        30_000))
                .withSendRate(0).withPassword(TestServers.FAST_PASSWORDS).withMqtt(MqttConfig.defaults().withPort(0));
        for (int i = 0; i < 3; i++) {
            nodes.add(ParleyServer.start(base));
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(ParleyServer::close);
        if (schema != null) {
            schema.close();
        }
        if (prefix != null) {
            TestRedis.deleteKeys(prefix);
        }
    }

    private static long seqOf(MqttPublishMessage p) {
        for (var prop : p.variableHeader().properties().getProperties(MqttProperties.USER_PROPERTY)) {
            if (prop.value() instanceof MqttProperties.StringPair pair && pair.key.equals("seq")) {
                return Long.parseLong(pair.value);
            }
            if (prop.value() instanceof List<?> pairs) {
                for (Object o : pairs) {
                    var pair = (MqttProperties.StringPair) o;
                    if (pair.key.equals("seq")) {
                        return Long.parseLong(pair.value);
                    }
                }
            }
        }
        return -1;
    }

    @Test
    void mqttAndWebSocketUsersOnDifferentNodesGetEverythingOnceInOrder() {
        Api api1 = new Api(nodes.get(0).port());
        Api api3 = new Api(nodes.get(2).port());
        var subscriber = api1.user("cl_sub");
        var wsUser = api1.user("cl_ws");
        var publisher = api1.user("cl_pub");
        String c = api1.group(wsUser, "three nodes", subscriber, publisher);
        try (var sub = new RawMqttClient(nodes.get(0).mqttPort());
             var ws = WsClient.connect(nodes.get(1).port(), wsUser.token());
             var pub = new RawMqttClient(nodes.get(2).mqttPort())) {
            assertThat(sub.connect(5, "cl-sub", subscriber.handle(), subscriber.token(), true, 30, null)
                    .variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            sub.subscribe(1, 1, "conversations/+");
            sub.awaitType(MqttMessageType.SUBACK);
            pub.connect(4, "cl-pub", publisher.handle(), publisher.token(), true, 30, null);

            int n = 10;
            for (int i = 0; i < n; i++) {
                ws.request("send", "conversationId", c, "clientMsgId", "w" + i, "body", "ws " + i);
                pub.publish("conversations/" + c, 1, i + 1, false, "mqtt " + i);
            }
            for (int i = 0; i < n; i++) {
                pub.awaitType(MqttMessageType.PUBACK);
            }
            List<Long> seqs = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 2 * n; i++) {
                var p = (MqttPublishMessage) sub.awaitType(MqttMessageType.PUBLISH);
                seqs.add(seqOf(p));
                bodies.add(p.payload().toString(StandardCharsets.UTF_8));
                sub.pubAck(p.variableHeader().packetId());
            }
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 2 * n).boxed().toList());
            assertThat(sub.awaitClosedOrNothing(300)).noneMatch(p -> p instanceof MqttPublishMessage);
            List<String> wsBodies = new ArrayList<>();
            for (int i = 0; i < 2 * n; i++) {
                JsonNode f = ws.await(x -> "message".equals(x.path("t").asText()), Duration.ofSeconds(20));
                assertThat(f.path("seq").asLong()).isEqualTo(i + 1);
                wsBodies.add(f.path("body").asText());
            }
            assertThat(wsBodies).isEqualTo(bodies);

            // A conversation created on the third node reaches the subscription to conversations/+ on the first.
            String later = api3.direct(publisher, subscriber);
            pub.publish("conversations/" + later, 1, 99, false, "a new conversation");
            pub.awaitType(MqttMessageType.PUBACK);
            var p = (MqttPublishMessage) sub.awaitType(MqttMessageType.PUBLISH);
            assertThat(p.variableHeader().topicName()).isEqualTo("conversations/" + later);
            assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("a new conversation");
        }
    }

    @Test
    void persistentSessionLeftOnOneNodeResumesOnAnotherWithEveryMissedMessageOnceInOrder() {
        Api api1 = new Api(nodes.get(0).port());
        var phone = api1.user("cl_ps_phone");
        var friend = api1.user("cl_ps_friend");
        String c = api1.group(friend, "roaming", phone);
        try (var ws = WsClient.connect(nodes.get(2).port(), friend.token())) {
            try (var m = new RawMqttClient(nodes.get(0).mqttPort())) {
                var ack = m.connect(4, "roamer", phone.handle(), phone.token(), false, 30, null);
                assertThat(ack.variableHeader().isSessionPresent()).isFalse();
                m.subscribe(1, 1, "conversations/" + c);
                m.awaitType(MqttMessageType.SUBACK);
                for (int i = 1; i <= 4; i++) {
                    ws.call("send", "conversationId", c, "clientMsgId", "here" + i, "body", "here " + i);
                }
                for (int i = 1; i <= 4; i++) {
                    var p = (MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
                    assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("here " + i);
                    if (i <= 3) {
                        m.pubAck(p.variableHeader().packetId()); // the fourth stays in flight
                    }
                }
                m.disconnect();
                m.awaitClosed(10_000);
            }
            // Node 1 saves the session for every node once the connection is cleaned up.
            await().atMost(Duration.ofSeconds(20)).until(() -> !TestRedis.keys(prefix + "s:mqtt:" + phone.userId()
                    + ":roamer").isEmpty());
            for (int i = 1; i <= 5; i++) {
                ws.call("send", "conversationId", c, "clientMsgId", "away" + i, "body", "away " + i);
            }
        }
        try (var m = new RawMqttClient(nodes.get(1).mqttPort())) {
            var ack = m.connect(4, "roamer", phone.handle(), phone.token(), false, 30, null);
            assertThat(ack.variableHeader().isSessionPresent()).as("session present on another node").isTrue();
            // No SUBSCRIBE: the subscription came with the session.
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                var p = (MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
                got.add(p.payload().toString(StandardCharsets.UTF_8));
                m.pubAck(p.variableHeader().packetId());
            }
            // The one left in flight on node 1 first (from the log, by seq), then what arrived meanwhile.
            assertThat(got).containsExactly("here 4", "away 1", "away 2", "away 3", "away 4", "away 5");
            assertThat(m.awaitClosedOrNothing(1_000)).noneMatch(p -> p instanceof MqttPublishMessage);
        }
    }
}
