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
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT gateway over real TCP sockets against a real node: CONNECT with a session token, PUBLISH
 * into the log (QoS 0, 1, 2), the refusals with their reason codes, DUP retransmissions, persistent
 * sessions, keep-alive and the Will. Packets are written byte-exact with {@link RawMqttClient}; the
 * client-library and mosquitto tests are in {@link MqttClientsIT}.
 */
class MqttGatewayIT {
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

    private static RawMqttClient connected(Api.Session user, int version, String clientId, boolean clean) {
        RawMqttClient c = new RawMqttClient(mqttPort);
        MqttConnAckMessage ack = c.connect(version, clientId, user.handle(), user.token(), clean, 30,
                MqttProperties.NO_PROPERTIES);
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return c;
    }

    private static List<JsonNode> messages(Api.Session user, String conversationId) {
        Api.Response r = api.get("/v1/conversations/" + conversationId + "/messages?after=0&limit=500", user.token());
        assertThat(r.status()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.body().path("messages").forEach(out::add);
        return out;
    }

    private static String text(MqttMessage m) {
        return ((MqttPublishMessage) m).payload().toString(StandardCharsets.UTF_8);
    }

    private static void stillServing() {
        var fresh = api.user("fresh" + System.nanoTime() % 1_000_000);
        var other = api.user("other" + System.nanoTime() % 1_000_000);
        String c = api.direct(fresh, other);
        try (var ws = WsClient.connect(server.port(), fresh.token())) {
            assertThat(ws.call("send", "conversationId", c, "clientMsgId", "alive", "body", "still here")
                    .path("t").asText()).isEqualTo("sent");
        }
    }

    @Test
    void qos1PublishIsStoredAndAckedOnlyOnceDurable() {
        var alice = api.user("mq_alice1");
        var bob = api.user("mq_bob1");
        String c = api.direct(alice, bob);
        for (int version : new int[] {4, 5}) {
            try (var m = connected(alice, version, "dur-" + version, true)) {
                m.publish("conversations/" + c, 1, 7, false, "durable " + version);
                MqttMessage ack = m.awaitType(MqttMessageType.PUBACK);
                assertThat(RawMqttClient.packetId(ack)).isEqualTo(7);
                assertThat(RawMqttClient.reason(ack)).isEqualTo((byte) 0);
                // The PUBACK means durable: the message is already in the log the HTTP API reads.
                assertThat(messages(bob, c)).extracting(n -> n.path("body").asText()).contains("durable " + version);
            }
        }
        List<JsonNode> log = messages(bob, c);
        assertThat(log).hasSize(2);
        assertThat(log.get(0).path("senderId").asText()).isEqualTo(alice.userId());
        assertThat(log.get(0).path("senderDeviceId").asText()).isEqualTo(alice.deviceId());
        assertThat(log.get(0).path("kind").asText()).isEqualTo("text");
    }

    @Test
    void badTokenGetsNotAuthorizedAndTheConnectionCloses() {
        var carol = api.user("mq_carol");
        try (var m = new RawMqttClient(mqttPort)) {
            var ack = m.connect(4, "bad3", carol.handle(), "pt_not-a-token", true, 30, null);
            assertThat(ack.variableHeader().connectReturnCode())
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED); // 0x05
            m.awaitClosed(5_000);
        }
        try (var m = new RawMqttClient(mqttPort)) {
            var ack = m.connect(5, "bad5", carol.handle(), "pt_not-a-token", true, 30, null);
            assertThat(ack.variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x87);
            m.awaitClosed(5_000);
        }
        // A valid token under another user's handle is refused too.
        var dave = api.user("mq_dave");
        try (var m = new RawMqttClient(mqttPort)) {
            var ack = m.connect(5, "other", dave.handle(), carol.token(), true, 30, null);
            assertThat(ack.variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x87);
            m.awaitClosed(5_000);
        }
        stillServing();
    }

    @Test
    void nonMemberIsRefusedOnSubscribeAndPublish() {
        var a = api.user("mq_nm_a");
        var b = api.user("mq_nm_b");
        var outsider = api.user("mq_nm_x");
        String c = api.direct(a, b);
        try (var m = connected(outsider, 5, "nm5", true)) {
            m.subscribe(1, 1, "conversations/" + c, "conversations/" + c + "/log");
            var subAck = (MqttSubAckMessage) m.awaitType(MqttMessageType.SUBACK);
            assertThat(subAck.payload().reasonCodes()).containsExactly(0x87, 0x87);
            m.publish("conversations/" + c, 1, 2, false, "let me in");
            MqttMessage ack = m.awaitType(MqttMessageType.PUBACK);
            assertThat(RawMqttClient.reason(ack)).isEqualTo((byte) 0x87);
        }
        try (var m = connected(outsider, 4, "nm3", true)) {
            m.subscribe(1, 1, "conversations/" + c);
            var subAck = (MqttSubAckMessage) m.awaitType(MqttMessageType.SUBACK);
            assertThat(subAck.payload().reasonCodes()).containsExactly(0x80);
            m.publish("conversations/" + c, 1, 2, false, "let me in");
            m.awaitClosed(5_000);
        }
        assertThat(messages(a, c)).isEmpty();
        stillServing();
    }

    @Test
    void retainedAndSysAreRefusedNotDropped() {
        var a = api.user("mq_ret_a");
        var b = api.user("mq_ret_b");
        String c = api.direct(a, b);
        try (var m = connected(a, 5, "ret5", true)) {
            m.subscribe(1, 0, "$SYS/#", "#", "conversations/#", "elsewhere/x");
            var subAck = (MqttSubAckMessage) m.awaitType(MqttMessageType.SUBACK);
            assertThat(subAck.payload().reasonCodes()).containsExactly(0x87, 0xA2, 0xA2, 0x8F);
            m.publish("conversations/" + c, 1, 3, false, true, "sticky".getBytes(StandardCharsets.UTF_8));
            List<MqttMessage> last = m.awaitClosed(5_000);
            assertThat(last).anySatisfy(p -> {
                assertThat(p.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
                assertThat(((MqttReasonCodeAndPropertiesVariableHeader) p.variableHeader()).reasonCode())
                        .isEqualTo((byte) 0x9A);
            });
        }
        try (var m = connected(a, 4, "ret3", true)) {
            m.subscribe(1, 0, "$SYS/#");
            var subAck = (MqttSubAckMessage) m.awaitType(MqttMessageType.SUBACK);
            assertThat(subAck.payload().reasonCodes()).containsExactly(0x80);
            m.publish("conversations/" + c, 1, 3, false, true, "sticky".getBytes(StandardCharsets.UTF_8));
            m.awaitClosed(5_000);
        }
        assertThat(messages(a, c)).isEmpty();
        stillServing();
    }

    @Test
    void dupRetransmissionIsStoredOnceAndAReusedPacketIdIsANewMessage() {
        var a = api.user("mq_dup_a");
        var b = api.user("mq_dup_b");
        String c = api.direct(a, b);
        try (var m = connected(a, 4, "dup", false)) {
            m.publish("conversations/" + c, 1, 9, false, "once");
            m.awaitType(MqttMessageType.PUBACK);
            m.publish("conversations/" + c, 1, 9, true, "once"); // the PUBACK "got lost": sent again with DUP
            m.awaitType(MqttMessageType.PUBACK);
            m.publish("conversations/" + c, 1, 9, false, "once"); // a new message reusing the freed packet id
            m.awaitType(MqttMessageType.PUBACK);
            m.publish("conversations/" + c, 1, 10, false, "in flight");
            m.awaitType(MqttMessageType.PUBACK);
        }
        // Across a reconnect of the persistent session: the client resends what it holds unacknowledged.
        try (var m = connected(a, 4, "dup", false)) {
            m.publish("conversations/" + c, 1, 10, true, "in flight");
            m.awaitType(MqttMessageType.PUBACK);
        }
        assertThat(messages(b, c)).extracting(n -> n.path("body").asText())
                .containsExactly("once", "once", "in flight");
    }

    @Test
    void qos2IsExactlyOnce() {
        var a = api.user("mq_q2_a");
        var b = api.user("mq_q2_b");
        String c = api.direct(a, b);
        try (var m = connected(a, 5, "q2", true)) {
            m.publish("conversations/" + c, 2, 5, false, "exactly");
            MqttMessage rec = m.awaitType(MqttMessageType.PUBREC);
            assertThat(RawMqttClient.packetId(rec)).isEqualTo(5);
            m.publish("conversations/" + c, 2, 5, true, "exactly");
            m.awaitType(MqttMessageType.PUBREC);
            m.pubRel(5);
            MqttMessage comp = m.awaitType(MqttMessageType.PUBCOMP);
            assertThat(RawMqttClient.packetId(comp)).isEqualTo(5);
        }
        assertThat(messages(b, c)).extracting(n -> n.path("body").asText()).containsExactly("exactly");
    }

    @Test
    void subscriberGetsBodiesWithUserPropertiesAndTheLogAsJson() {
        var a = api.user("mq_sub_a");
        var b = api.user("mq_sub_b");
        String c = api.direct(a, b);
        try (var m = connected(b, 5, "sub5", true); var ws = WsClient.connect(server.port(), a.token())) {
            m.subscribe(1, 1, "conversations/" + c, "conversations/" + c + "/log");
            assertThat(((MqttSubAckMessage) m.awaitType(MqttMessageType.SUBACK)).payload().reasonCodes())
                    .containsExactly(1, 1);
            ws.call("send", "conversationId", c, "clientMsgId", "w1", "body", "héllo from ws");
            MqttPublishMessage plain = (MqttPublishMessage) m.await(p -> p instanceof MqttPublishMessage pm
                    && pm.variableHeader().topicName().equals("conversations/" + c));
            assertThat(text(plain)).isEqualTo("héllo from ws");
            assertThat(plain.fixedHeader().qosLevel().value()).isEqualTo(1);
            Map<String, String> props = new java.util.HashMap<>();
            plain.variableHeader().properties().getProperties(MqttProperties.USER_PROPERTY).forEach(p -> {
                if (p.value() instanceof MqttProperties.StringPair pair) {
                    props.put(pair.key, pair.value);
                } else if (p.value() instanceof List<?> pairs) {
                    pairs.forEach(x -> props.put(((MqttProperties.StringPair) x).key,
                            ((MqttProperties.StringPair) x).value));
                }
            });
            assertThat(props).containsEntry("seq", "1").containsEntry("senderId", a.userId())
                    .containsEntry("kind", "text").containsKey("messageId");
            m.pubAck(plain.variableHeader().packetId());
            MqttPublishMessage logged = (MqttPublishMessage) m.await(p -> p instanceof MqttPublishMessage pm
                    && pm.variableHeader().topicName().equals("conversations/" + c + "/log"));
            JsonNode json = dev.parley.protocol.Json.decodeBody(text(logged).getBytes(StandardCharsets.UTF_8),
                    JsonNode.class);
            assertThat(json.path("seq").asLong()).isEqualTo(1);
            assertThat(json.path("body").asText()).isEqualTo("héllo from ws");
            m.pubAck(logged.variableHeader().packetId());
            // The PUBACK moved b's delivered watermark, which a's WebSocket sees as a receipt.
            JsonNode receipt = ws.await(f -> "receipt".equals(f.path("t").asText())
                    && f.path("userId").asText().equals(b.userId()));
            assertThat(receipt.path("deliveredSeq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void persistentSessionCatchesUpInOrderOnceAfterReconnect() {
        var a = api.user("mq_ps_a");
        var b = api.user("mq_ps_b");
        String c = api.direct(a, b);
        try (var m = connected(b, 4, "ps", false)) {
            m.subscribe(1, 1, "conversations/" + c);
            m.awaitType(MqttMessageType.SUBACK);
            m.disconnect();
            m.awaitClosed(5_000);
        }
        try (var ws = WsClient.connect(server.port(), a.token())) {
            for (int i = 1; i <= 5; i++) {
                ws.call("send", "conversationId", c, "clientMsgId", "away" + i, "body", "while away " + i);
            }
        }
        try (var m = new RawMqttClient(mqttPort)) {
            var ack = m.connect(4, "ps", b.handle(), b.token(), false, 30, null);
            assertThat(ack.variableHeader().isSessionPresent()).isTrue();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                MqttPublishMessage p = (MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
                got.add(text(p));
                if (i < 3) {
                    m.pubAck(p.variableHeader().packetId());
                }
            }
            assertThat(got).containsExactly("while away 1", "while away 2", "while away 3", "while away 4",
                    "while away 5");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(api.get("/v1/conversations", b.token()).body().path("conversations").get(0)
                            .path("deliveredSeq").asLong()).isEqualTo(3));
        }
        // Messages 4 and 5 were never acknowledged: they come again, and only they.
        try (var m = new RawMqttClient(mqttPort)) {
            m.connect(4, "ps", b.handle(), b.token(), false, 30, null);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                MqttPublishMessage p = (MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
                got.add(text(p));
                m.pubAck(p.variableHeader().packetId());
            }
            assertThat(got).containsExactly("while away 4", "while away 5");
            assertThat(m.awaitClosedOrNothing(500)).noneMatch(p -> p instanceof MqttPublishMessage);
        }
    }

    @Test
    void allConversationsIncludesOnesCreatedLater() {
        var a = api.user("mq_all_a");
        var b = api.user("mq_all_b");
        var d = api.user("mq_all_d");
        String first = api.direct(a, b);
        try (var m = connected(b, 5, "all", true); var ws = WsClient.connect(server.port(), a.token())) {
            m.subscribe(1, 1, "conversations/+");
            m.awaitType(MqttMessageType.SUBACK);
            String later = api.group(d, "later", b);
            ws.call("send", "conversationId", first, "clientMsgId", "x1", "body", "in the first");
            MqttPublishMessage p1 = (MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
            assertThat(p1.variableHeader().topicName()).isEqualTo("conversations/" + first);
            m.pubAck(p1.variableHeader().packetId());
            // Overlapping filters (conversations/+ and conversations/{id}) still deliver a message once.
            m.subscribe(2, 1, "conversations/" + first);
            m.awaitType(MqttMessageType.SUBACK);
            ws.call("send", "conversationId", first, "clientMsgId", "x2", "body", "only once");
            MqttPublishMessage once = (MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
            assertThat(text(once)).isEqualTo("only once");
            m.pubAck(once.variableHeader().packetId());
            assertThat(m.awaitClosedOrNothing(300)).noneMatch(p -> p instanceof MqttPublishMessage);
            try (var wd = WsClient.connect(server.port(), d.token())) {
                wd.call("send", "conversationId", later, "clientMsgId", "y1", "body", "in the later one");
            }
            MqttPublishMessage p2 = (MqttPublishMessage) m.awaitType(MqttMessageType.PUBLISH);
            assertThat(p2.variableHeader().topicName()).isEqualTo("conversations/" + later);
            assertThat(text(p2)).isEqualTo("in the later one");
        }
    }

    @Test
    void eventsTopicCarriesTypingAndReceipts() {
        var a = api.user("mq_ev_a");
        var b = api.user("mq_ev_b");
        String c = api.direct(a, b);
        try (var m = connected(b, 4, "ev", true); var ws = WsClient.connect(server.port(), a.token())) {
            m.subscribe(1, 1, "users/me/events");
            assertThat(((MqttSubAckMessage) m.awaitType(MqttMessageType.SUBACK)).payload().reasonCodes())
                    .containsExactly(0);
            ws.sendRaw("{\"t\":\"typing\",\"conversationId\":\"" + c + "\",\"state\":\"start\"}");
            MqttPublishMessage typing = (MqttPublishMessage) m.await(p -> p instanceof MqttPublishMessage pm
                    && text(pm).contains("\"t\":\"typing\""));
            assertThat(typing.variableHeader().topicName()).isEqualTo("users/me/events");
            assertThat(text(typing)).contains(a.userId());
        }
    }

    @Test
    void payloadOverTheBodyLimitIsRefused() {
        var a = api.user("mq_big_a");
        var b = api.user("mq_big_b");
        String c = api.direct(a, b);
        byte[] big = "x".repeat(64 * 1024 + 1).getBytes(StandardCharsets.UTF_8);
        try (var m = connected(a, 5, "big5", true)) {
            m.publish("conversations/" + c, 1, 1, false, false, big);
            List<MqttMessage> last = m.awaitClosed(5_000);
            assertThat(last).anySatisfy(p -> assertThat(((MqttReasonCodeAndPropertiesVariableHeader) p.variableHeader())
                    .reasonCode()).isEqualTo((byte) 0x95));
        }
        byte[] huge = new byte[2 * 1024 * 1024];
        try (var m = connected(a, 4, "big3", true)) {
            m.publish("conversations/" + c, 1, 1, false, false, huge);
            m.awaitClosed(5_000);
        }
        assertThat(messages(a, c)).isEmpty();
        stillServing();
    }

    @Test
    void silentClientIsClosedAfterOneAndAHalfKeepAlivesAndItsWillIsStored() {
        var a = api.user("mq_ka_a");
        var b = api.user("mq_ka_b");
        String c = api.direct(a, b);
        try (var m = new RawMqttClient(mqttPort)) {
            var ack = m.connect(4, "ka", a.handle(), a.token(), true, 1, null, "conversations/" + c, "a went away");
            assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            long t0 = System.nanoTime();
            m.awaitClosed(10_000);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1_400));
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(messages(b, c)).extracting(n -> n.path("body").asText()).containsExactly("a went away"));
        // A clean DISCONNECT drops the Will.
        try (var m = new RawMqttClient(mqttPort)) {
            m.connect(4, "ka2", a.handle(), a.token(), true, 30, null, "conversations/" + c, "not stored");
            m.disconnect();
            m.awaitClosed(5_000);
        }
        stillServing();
        assertThat(messages(b, c)).extracting(n -> n.path("body").asText()).containsExactly("a went away");
    }

    @Test
    void anMqttConnectionCountsAsOnlineAndARevokedSessionIsDisconnected() throws Exception {
        var a = api.user("mq_pr_a");
        var b = api.user("mq_pr_b");
        api.accept(b, api.direct(a, b)); // b chose to talk: a sees b's presence
        try (var ws = WsClient.connect(server.port(), a.token()); var m = connected(b, 5, "pr", true)) {
            ws.await(f -> "presence".equals(f.path("t").asText()) && f.path("userId").asText().equals(b.userId())
                    && "online".equals(f.path("state").asText()));
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("parley_connections\\{[^}]*transport=\"mqtt\"[^}]*\\} [1-9]");
            assertThat(api.delete("/v1/sessions/current", b.token()).status()).isEqualTo(204);
            List<MqttMessage> last = m.awaitClosed(5_000);
            assertThat(last).anySatisfy(p -> assertThat(((MqttReasonCodeAndPropertiesVariableHeader) p.variableHeader())
                    .reasonCode()).isEqualTo((byte) 0x87));
            ws.await(f -> "presence".equals(f.path("t").asText()) && f.path("userId").asText().equals(b.userId())
                    && "offline".equals(f.path("state").asText()));
        }
    }

    @Test
    void aSecondConnectionWithTheSameClientIdTakesTheSessionOver() {
        var a = api.user("mq_to_a");
        try (var first = connected(a, 5, "same-id", false); var second = connected(a, 5, "same-id", false)) {
            List<MqttMessage> last = first.awaitClosed(5_000);
            assertThat(last).anySatisfy(p -> assertThat(((MqttReasonCodeAndPropertiesVariableHeader) p.variableHeader())
                    .reasonCode()).isEqualTo((byte) 0x8E));
            second.send(new MqttMessage(new io.netty.handler.codec.mqtt.MqttFixedHeader(MqttMessageType.PINGREQ, false,
                    io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, false, 0)));
            second.awaitType(MqttMessageType.PINGRESP);
        }
    }

    @Test
    void unsubscribeStopsDeliveryInBothVersions() {
        var a = api.user("mq_un_a");
        var b = api.user("mq_un_b");
        String c = api.direct(a, b);
        try (var m3 = connected(b, 4, "un3", true); var m5 = connected(b, 5, "un5", true);
             var ws = WsClient.connect(server.port(), a.token())) {
            for (var m : List.of(m3, m5)) {
                m.subscribe(1, 1, "conversations/" + c);
                m.awaitType(MqttMessageType.SUBACK);
                m.unsubscribe(2, "conversations/" + c, "conversations/never-subscribed");
                MqttMessage unsubAck = m.awaitType(MqttMessageType.UNSUBACK);
                assertThat(RawMqttClient.packetId(unsubAck)).isEqualTo(2);
                if (m == m5) {
                    assertThat(((io.netty.handler.codec.mqtt.MqttUnsubAckMessage) unsubAck).payload()
                            .unsubscribeReasonCodes()).containsExactly((short) 0x00, (short) 0x11);
                }
            }
            ws.call("send", "conversationId", c, "clientMsgId", "after-unsub", "body", "nobody listens");
            assertThat(m3.awaitClosedOrNothing(500)).noneMatch(p -> p instanceof MqttPublishMessage);
            assertThat(m5.awaitClosedOrNothing(100)).noneMatch(p -> p instanceof MqttPublishMessage);
        }
    }
}
