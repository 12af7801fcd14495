package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared PUBLISH encoding writes exactly the bytes Netty's MQTT encoder writes for the same packet. */
class OutPublishTest {
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    /** A codec that has seen a client's CONNECT of {@code version}, so it encodes and decodes for that version. */
    private static MqttCodec codecFor(int version) {
        MqttCodec codec = new MqttCodec(1 << 20, 128);
        ByteBuf connect = codec.encode(new MqttConnectMessage(new MqttFixedHeader(MqttMessageType.CONNECT, false,
                MqttQoS.AT_MOST_ONCE, false, 0), new MqttConnectVariableHeader("MQTT", version, false, false, false, 0,
                false, true, 60, MqttProperties.NO_PROPERTIES), new MqttConnectPayload("c", MqttProperties.NO_PROPERTIES,
                null, null, null, null)));
        connect.release();
        return codec;
    }

    private static byte[] netty(int version, String topic, int qos, int packetId, byte[] payload, MqttProperties props) {
        MqttCodec codec = codecFor(version);
        ByteBuf out = codec.encode(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false,
                MqttQoS.valueOf(qos), false, 0), new io.netty.handler.codec.mqtt.MqttPublishVariableHeader(topic,
                qos == 0 ? -1 : packetId, props), Unpooled.wrappedBuffer(payload)));
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        codec.close();
        return bytes;
    }

    private static byte[] ours(OutPublish p, int packetId) {
        ByteBuf out = p.copy(ALLOC, packetId);
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        assertThat(bytes).hasSize(p.size());
        return bytes;
    }

    @Test
    void mqtt311AtQos1IsNettysPacketWithEachRecipientsPacketId() {
        byte[] body = "héllo, wörld".getBytes(StandardCharsets.UTF_8);
        OutPublish p = OutPublish.of("conversations/cnv_1", 1, body, false, null);
        assertThat(ours(p, 1)).isEqualTo(netty(4, "conversations/cnv_1", 1, 1, body, MqttProperties.NO_PROPERTIES));
        assertThat(ours(p, 65_535)).isEqualTo(netty(4, "conversations/cnv_1", 1, 65_535, body,
                MqttProperties.NO_PROPERTIES));
        assertThat(ours(p, 258)).isEqualTo(netty(4, "conversations/cnv_1", 1, 258, body, MqttProperties.NO_PROPERTIES));
    }

    @Test
    void qos0HasNoPacketId() {
        byte[] body = "{\"type\":\"presence\"}".getBytes(StandardCharsets.UTF_8);
        OutPublish p = OutPublish.of("users/me/events", 0, body, false, null);
        assertThat(ours(p, 7)).isEqualTo(netty(4, "users/me/events", 0, 0, body, MqttProperties.NO_PROPERTIES));
        OutPublish p5 = OutPublish.of("users/me/events", 0, body, true, null);
        assertThat(ours(p5, 7)).isEqualTo(netty(5, "users/me/events", 0, 0, body, MqttProperties.NO_PROPERTIES));
    }

    @Test
    void mqtt5CarriesTheUserPropertiesInOrder() {
        byte[] body = "x".repeat(300).getBytes(StandardCharsets.UTF_8); // a two-byte remaining length
        OutPublish p = OutPublish.of("conversations/cnv_9", 1, body, true,
                List.of("seq", "42", "senderId", "usr_1", "messageId", "msg_1", "kind", "text"));
        var user = new MqttProperties.UserProperties();
        user.add("seq", "42");
        user.add("senderId", "usr_1");
        user.add("messageId", "msg_1");
        user.add("kind", "text");
        MqttProperties props = new MqttProperties();
        props.add(user);
        assertThat(ours(p, 300)).isEqualTo(netty(5, "conversations/cnv_9", 1, 300, body, props));
    }

    @Test
    void aLargePayloadHasALongerRemainingLengthAndDecodes() {
        byte[] body = new byte[200_000];
        java.util.Arrays.fill(body, (byte) 'a');
        OutPublish p = OutPublish.of("conversations/cnv_2", 1, body, false, null);
        assertThat(ours(p, 9)).isEqualTo(netty(4, "conversations/cnv_2", 1, 9, body, MqttProperties.NO_PROPERTIES));
        MqttCodec reader = codecFor(4);
        List<MqttMessage> got = reader.decode(Unpooled.wrappedBuffer(ours(p, 9)));
        assertThat(got).hasSize(1);
        MqttPublishMessage m = (MqttPublishMessage) got.get(0);
        assertThat(m.variableHeader().topicName()).isEqualTo("conversations/cnv_2");
        assertThat(m.variableHeader().packetId()).isEqualTo(9);
        assertThat(m.payload().readableBytes()).isEqualTo(body.length);
        m.release();
        reader.close();
    }
}
