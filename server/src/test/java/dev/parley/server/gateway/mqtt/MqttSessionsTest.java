package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.backplane.InMemorySessionSnapshots;
import dev.parley.server.backplane.SessionSnapshots;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Two MqttSessions on one shared snapshot store stand for two nodes of a cluster. */
class MqttSessionsTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final InMemorySessionSnapshots shared = new InMemorySessionSnapshots(clock);
    private final MqttSessions node1 = new MqttSessions(16, shared, clock);
    private final MqttSessions node2 = new MqttSessions(16, shared, clock);
    private final Object conn1 = new Object();
    private final Object conn2 = new Object();

    private static MqttSession.Subscription sub(String filter, int qos) {
        return new MqttSession.Subscription(filter, Topic.filter(filter), qos, false);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPersistentSessionResumesOnAnotherNodeWithSubscriptionsCursorsAndRetransmissionKeys() {
        MqttSession first = node1.open("u1", "phone", false, true, 3600, "e1", conn1).session();
        first.subscribe(sub("conversations/cnv_a", 1));
        first.subscribe(sub("conversations/+", 0));
        first.startAt("cnv_a", 3);
        first.ack("cnv_a", 7);
        String key = first.inboundKey(5, false, b("hello"));
        node1.release(first, conn1, clock.millis());

        MqttSessions.Opened there = node2.open("u1", "phone", false, true, 3600, "e2", conn2);
        assertThat(there.present()).isTrue();
        MqttSession resumed = there.session();
        assertThat(resumed.epoch).isEqualTo("e1");
        assertThat(resumed.subscriptions()).extracting(MqttSession.Subscription::filter)
                .containsExactly("conversations/cnv_a", "conversations/+");
        assertThat(resumed.subscriptions().get(1).topic()).isEqualTo(new Topic.AllMessages());
        assertThat(resumed.acked("cnv_a")).contains(7L);
        // The client resends its unacknowledged PUBLISH with DUP: the same clientMsgId, stored once.
        assertThat(resumed.inboundKey(5, true, b("hello"))).isEqualTo(key);
    }

    @Test
    void aNodeResumesTheNewestCopyNotItsOwnStaleOne() {
        MqttSession s = node1.open("u1", "phone", false, true, 3600, "e1", conn1).session();
        s.subscribe(sub("conversations/cnv_a", 1));
        s.ack("cnv_a", 2);
        node1.release(s, conn1, clock.millis());
        MqttSession onTwo = node2.open("u1", "phone", false, true, 3600, "e2", conn2).session();
        onTwo.ack("cnv_a", 9);
        node2.release(onTwo, conn2, clock.millis());

        Object conn3 = new Object();
        MqttSession back = node1.open("u1", "phone", false, true, 3600, "e3", conn3).session();
        assertThat(back.acked("cnv_a")).contains(9L);
    }

    @Test
    void aCleanStartAnywhereEndsTheSessionEverywhere() {
        MqttSession s = node1.open("u1", "phone", false, true, 3600, "e1", conn1).session();
        s.subscribe(sub("conversations/cnv_a", 1));
        node1.release(s, conn1, clock.millis());
        MqttSession clean = node2.open("u1", "phone", true, false, 0, "e2", conn2).session();
        node2.release(clean, conn2, clock.millis());

        MqttSessions.Opened again = node1.open("u1", "phone", false, true, 3600, "e3", new Object());
        assertThat(again.present()).isFalse();
        assertThat(again.session().subscriptions()).isEmpty();
    }

    @Test
    void aCleanSessionIsNeverSaved() {
        MqttSession s = node1.open("u1", "tmp", true, false, 0, "e1", conn1).session();
        s.subscribe(sub("conversations/cnv_a", 1));
        node1.release(s, conn1, clock.millis());
        assertThat(shared.load(MqttSessions.sharedKey("u1", "tmp"))).isEmpty();
    }

    @Test
    void whenTheSharedCopyCannotBeReadThisNodesCopyStillResumes() {
        SessionSnapshots broken = new SessionSnapshots() {
            @Override
            public Optional<String> load(String key) {
                throw new IllegalStateException("Redis unavailable");
            }

            @Override
            public void save(String key, String value, Duration ttl) {
                throw new IllegalStateException("Redis unavailable");
            }

            @Override
            public void delete(String key) {
                throw new IllegalStateException("Redis unavailable");
            }
        };
        MqttSessions node = new MqttSessions(16, broken, clock);
        MqttSession s = node.open("u1", "phone", false, true, 3600, "e1", conn1).session();
        s.ack("cnv_a", 4);
        node.release(s, conn1, clock.millis());
        MqttSessions.Opened again = node.open("u1", "phone", false, true, 3600, "e2", conn2);
        assertThat(again.present()).isTrue();
        assertThat(again.session().acked("cnv_a")).contains(4L);
    }
}
