package dev.parley.server.gateway.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import java.util.List;

/** Builds the packets the server sends. Reason codes are only written for MQTT 5 (the encoder drops them for 3.1.1). */
final class Packets {
    private Packets() {
    }

    /** MQTT 5 reason codes used here (section 2.4 of the specification). */
    static final byte SUCCESS = 0x00;
    static final byte UNSPECIFIED_ERROR = (byte) 0x80;
    static final byte MALFORMED_PACKET = (byte) 0x81;
    static final byte PROTOCOL_ERROR = (byte) 0x82;
    static final byte IMPLEMENTATION_SPECIFIC_ERROR = (byte) 0x83;
    static final byte NOT_AUTHORIZED = (byte) 0x87;
    static final byte SERVER_SHUTTING_DOWN = (byte) 0x8B;
    static final byte KEEP_ALIVE_TIMEOUT = (byte) 0x8D;
    static final byte SESSION_TAKEN_OVER = (byte) 0x8E;
    static final byte TOPIC_FILTER_INVALID = (byte) 0x8F;
    static final byte TOPIC_NAME_INVALID = (byte) 0x90;
    static final byte PACKET_ID_NOT_FOUND = (byte) 0x92;
    static final byte PACKET_TOO_LARGE = (byte) 0x95;
    static final byte QUOTA_EXCEEDED = (byte) 0x97;
    static final byte PAYLOAD_FORMAT_INVALID = (byte) 0x99;
    static final byte RETAIN_NOT_SUPPORTED = (byte) 0x9A;
    static final byte SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = (byte) 0x9E;
    static final byte WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED = (byte) 0xA2;
    /** 3.1.1 SUBACK failure. */
    static final int FAILURE_311 = 0x80;

    static MqttConnAckMessage connAck(MqttConnectReturnCode code, boolean sessionPresent, MqttProperties properties) {
        return new MqttConnAckMessage(new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(code, sessionPresent, properties));
    }

    static MqttMessage pubReply(MqttMessageType type, int packetId, byte reason) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, reason, MqttProperties.NO_PROPERTIES));
    }

    static MqttSubAckMessage subAck(int packetId, List<Integer> codes) {
        return new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes));
    }

    static MqttUnsubAckMessage unsubAck(int packetId, List<Short> codes, boolean v5) {
        return new MqttUnsubAckMessage(new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                v5 ? new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES)
                        : MqttMessageIdVariableHeader.from(packetId),
                v5 ? new MqttUnsubAckPayload(codes) : null);
    }

    static MqttMessage pingResp() {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }

    /** MQTT 5 only: the server's reason for ending the connection. */
    static MqttMessage disconnect(byte reason) {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader(reason, MqttProperties.NO_PROPERTIES));
    }

    static MqttPublishMessage publish(String topic, int qos, int packetId, ByteBuf payload, MqttProperties properties) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0),
                new MqttPublishVariableHeader(topic, qos == 0 ? -1 : packetId, properties), payload);
    }
}
