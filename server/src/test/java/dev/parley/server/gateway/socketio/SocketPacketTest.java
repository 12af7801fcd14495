package dev.parley.server.gateway.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SocketPacketTest {

    @Test
    void connectWithAuthPayloadDecodes() {
        SocketPacket p = SocketPacket.decode("0{\"token\":\"abc\"}");
        assertThat(p.type()).isEqualTo(SocketPacket.Type.CONNECT);
        assertThat(p.namespace()).isEqualTo("/");
        assertThat(p.ackId()).isNull();
        assertThat(p.payload()).isEqualTo("{\"token\":\"abc\"}");
        assertThat(SocketPacket.decode("0").payload()).isNull();
    }

    @Test
    void eventWithAckIdDecodes() {
        SocketPacket p = SocketPacket.decode("212[\"send\",{\"body\":\"1\"}]");
        assertThat(p.type()).isEqualTo(SocketPacket.Type.EVENT);
        assertThat(p.ackId()).isEqualTo(12L);
        assertThat(p.payload()).isEqualTo("[\"send\",{\"body\":\"1\"}]");
    }

    @Test
    void namespaceIsReadUpToTheComma() {
        SocketPacket p = SocketPacket.decode("2/admin,13[\"x\"]");
        assertThat(p.namespace()).isEqualTo("/admin");
        assertThat(p.ackId()).isEqualTo(13L);
        assertThat(p.payload()).isEqualTo("[\"x\"]");
        assertThat(SocketPacket.decode("1/admin,").namespace()).isEqualTo("/admin");
        assertThat(SocketPacket.decode("0/admin").namespace()).isEqualTo("/admin");
    }

    @Test
    void binaryEventsCarryTheirAttachmentCount() {
        SocketPacket p = SocketPacket.decode("51-[\"baz\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(p.type()).isEqualTo(SocketPacket.Type.BINARY_EVENT);
        assertThat(p.attachments()).isEqualTo(1);
        assertThat(p.ackId()).isNull();
        assertThat(SocketPacket.decode("61-15[\"bar\"]").ackId()).isEqualTo(15L);
    }

    @Test
    void serverPacketsEncodeAsTheProtocolShows() {
        assertThat(SocketPacket.connected("wZX3").encode()).isEqualTo("0{\"sid\":\"wZX3\"}");
        assertThat(SocketPacket.connectError("/", "\"unauthorized\"").encode())
                .isEqualTo("4{\"message\":\"unauthorized\"}");
        assertThat(SocketPacket.connectError("/admin", "\"Invalid namespace\"").encode())
                .isEqualTo("4/admin,{\"message\":\"Invalid namespace\"}");
        assertThat(SocketPacket.event("message", "{\"seq\":1}").encode()).isEqualTo("2[\"message\",{\"seq\":1}]");
        assertThat(SocketPacket.ack(12, "{\"seq\":1}").encode()).isEqualTo("312[{\"seq\":1}]");
        assertThat(SocketPacket.disconnect().encode()).isEqualTo("1");
    }

    @Test
    void encodeThenDecodeIsTheSamePacket() {
        SocketPacket p = new SocketPacket(SocketPacket.Type.ACK, "/chat", 7L, 0, "[{}]");
        assertThat(SocketPacket.decode(p.encode())).isEqualTo(p);
    }

    @Test
    void malformedHeadersAreRefused() {
        assertThatThrownBy(() -> SocketPacket.decode("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketPacket.decode("9")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketPacket.decode("5[\"x\"]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketPacket.decode("5a-[\"x\"]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketPacket.decode("21234567890123456[\"x\"]"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketPacket.decode("2/" + "n".repeat(300) + ",[\"x\"]"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
