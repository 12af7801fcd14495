package dev.parley.server.gateway.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EnginePacketTest {

    @Test
    void eachTypeIsItsDigitFollowedByThePayload() {
        assertThat(EnginePacket.of(EnginePacket.Type.OPEN, "{\"sid\":\"x\"}").encode()).isEqualTo("0{\"sid\":\"x\"}");
        assertThat(EnginePacket.CLOSE.encode()).isEqualTo("1");
        assertThat(EnginePacket.PING.encode()).isEqualTo("2");
        assertThat(EnginePacket.of(EnginePacket.Type.PONG, "probe").encode()).isEqualTo("3probe");
        assertThat(EnginePacket.message("40").encode()).isEqualTo("440");
        assertThat(EnginePacket.of(EnginePacket.Type.UPGRADE, "").encode()).isEqualTo("5");
        assertThat(EnginePacket.NOOP.encode()).isEqualTo("6");
    }

    @Test
    void decodesTypeAndPayload() {
        EnginePacket p = EnginePacket.decode("2probe");
        assertThat(p.type()).isEqualTo(EnginePacket.Type.PING);
        assertThat(p.data()).isEqualTo("probe");
        assertThat(p.binary()).isFalse();
        assertThat(EnginePacket.decode("3").data()).isEmpty();
        assertThat(EnginePacket.decode("4héllo €").data()).isEqualTo("héllo €");
    }

    @Test
    void refusesEmptyAndUnknownPackets() {
        assertThatThrownBy(() -> EnginePacket.decode("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnginePacket.decode("7")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnginePacket.decode("abc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pollingPayloadsAreSplitOnTheRecordSeparator() {
        List<EnginePacket> packets = EnginePacket.decodePayload("4test1\u001e4test2\u001e3");
        assertThat(packets).extracting(EnginePacket::type)
                .containsExactly(EnginePacket.Type.MESSAGE, EnginePacket.Type.MESSAGE, EnginePacket.Type.PONG);
        assertThat(packets).extracting(EnginePacket::data).containsExactly("test1", "test2", "");
        assertThat(EnginePacket.encodePayload(List.of("4a", "2", "4b"))).isEqualTo("4a\u001e2\u001e4b");
    }

    @Test
    void base64BinaryElementsAreMarkedBinaryAndDropped() {
        List<EnginePacket> packets = EnginePacket.decodePayload("4hello\u001ebAQIDBA==");
        assertThat(packets.get(1).binary()).isTrue();
        assertThat(packets.get(1).type()).isEqualTo(EnginePacket.Type.MESSAGE);
        assertThat(packets.get(1).data()).isEmpty();
    }

    @Test
    void aPayloadWithAnEmptyElementIsMalformed() {
        assertThatThrownBy(() -> EnginePacket.decodePayload("4a\u001e\u001e4b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnginePacket.decodePayload("")).isInstanceOf(IllegalArgumentException.class);
    }
}
