package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
    void keysAreTimeOrderedUuids() {
        var s = new MqttSession("u", "c", "e1", true, 60);
        String a = s.inboundKey(1, false, b("a"));
        String b = s.inboundKey(2, false, b("b"));
        String c = s.inboundKey(1, false, b("c"));
        for (String key : List.of(a, b, c)) {
            assertThat(UUID.fromString(key).version()).isEqualTo(7);
            assertThat(UUID.fromString(key).toString()).isEqualTo(key);
        }
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
    }

    @Test
    void aRetransmissionAfterTheSessionMovedNodesKeepsItsKey() {
        var s = new MqttSession("u", "c", "e1", true, 60);
        String first = s.inboundKey(9, false, b("moving"));
        MqttSession moved = MqttSession.restore("u", "c", s.snapshot(), 0);
        assertThat(moved.inboundKey(9, true, b("moving"))).isEqualTo(first);
        assertThat(moved.inboundKey(9, false, b("moving"))).isNotEqualTo(first);
    }

    @Test
    void aGenerationSavedBeforeUuidKeysKeepsItsOldKey() {
        var saved = new MqttSession.Snapshot("e0", 60, List.of(), Map.of(), Map.of(4, new long[] {2, hashOf("x")}),
                List.of());
        MqttSession s = MqttSession.restore("u", "c", saved, 0);
        assertThat(s.inboundKey(4, true, b("x"))).isEqualTo("mqtt:e0:4:2");
        String fresh = s.inboundKey(4, false, b("x"));
        assertThat(UUID.fromString(fresh).version()).isEqualTo(7);
        assertThat(s.inboundKey(4, true, b("x"))).isEqualTo(fresh);
    }

    /** The payload hash a session records, read back through a snapshot. */
    private static long hashOf(String payload) {
        var s = new MqttSession("u", "c", "e", true, 60);
        s.inboundKey(1, false, b(payload));
        return s.snapshot().inbound().get(1)[1];
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
