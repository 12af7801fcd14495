package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MqttSessionTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDupRetransmissionMapsToTheSameClientMsgId() {
        var s = new MqttSession("u", "c", "e1", true, 60);
        String first = s.inboundKey(7, false, b("hi"));
        assertThat(s.inboundKey(7, true, b("hi"))).isEqualTo(first);
        assertThat(s.inboundKey(7, true, b("hi"))).isEqualTo(first);
    }

    @Test
    void aPacketIdReusedWithoutDupIsANewMessageEvenWithTheSameBody() {
        var s = new MqttSession("u", "c", "e1", true, 60);
        String first = s.inboundKey(7, false, b("ok"));
        String second = s.inboundKey(7, false, b("ok"));
        assertThat(second).isNotEqualTo(first);
        assertThat(s.inboundKey(7, true, b("ok"))).isEqualTo(second);
    }

    @Test
    void aDupWhoseOriginalNeverArrivedIsNewWhenItsBodyDiffers() {
        var s = new MqttSession("u", "c", "e1", true, 60);
        String old = s.inboundKey(3, false, b("old message"));
        assertThat(s.inboundKey(3, true, b("new message"))).isNotEqualTo(old);
    }

    @Test
    void anotherSessionNeverSharesKeys() {
        var s1 = new MqttSession("u", "c", "e1", true, 60);
        var s2 = new MqttSession("u", "c", "e2", true, 60);
        assertThat(s1.inboundKey(1, false, b("x"))).isNotEqualTo(s2.inboundKey(1, false, b("x")));
    }

    @Test
    void cursorsOnlyMoveForward() {
        var s = new MqttSession("u", "c", "e1", true, 60);
        s.startAt("cnv", 5);
        s.startAt("cnv", 2);
        s.ack("cnv", 4);
        assertThat(s.acked("cnv")).contains(5L);
        s.ack("cnv", 9);
        assertThat(s.acked("cnv")).contains(9L);
    }
}
