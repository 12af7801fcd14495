package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Caller;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.TypingState;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The routing table on its own: bus events in, frames out to {@link RecordingSocket}s. */
class FanoutTest {
    final GatewayFixture f = new GatewayFixture();
    final Fanout fanout = new Fanout(f.bus, f.chat, f.presence, f.blocking);

    @AfterEach
    void close() {
        f.close();
    }

    private WsPeer peer(String userId, String deviceId) {
        WsPeer p = new WsPeer("con-" + userId + deviceId, new RecordingSocket(), f.blocking);
        p.authenticated(new Caller(userId, deviceId));
        return p;
    }

    private static RecordingSocket socket(WsPeer p) {
        return (RecordingSocket) p.socket;
    }

    @Test
    void oneBusSubscriptionPerConversationAndUserDroppedWithTheLastSocket() {
        int node = f.bus.topicCount(); // the node's own subscriptions (engagement announcements)
        WsPeer a1 = peer("u-a", "d1");
        WsPeer a2 = peer("u-a", "d2");
        fanout.register(a1, List.of("c1", "c2"));
        fanout.register(a2, List.of("c1"));
        assertThat(fanout.conversationTopics()).isEqualTo(2);
        assertThat(f.bus.topicCount()).isEqualTo(node + 3); // c1, c2, user u-a
        assertThat(fanout.conversationsOf(a1)).containsExactlyInAnyOrder("c1", "c2");
        fanout.unregister(a1);
        assertThat(fanout.conversationTopics()).isEqualTo(1);
        fanout.unregister(a2);
        assertThat(fanout.conversationTopics()).isZero();
        assertThat(f.bus.topicCount()).isEqualTo(node);
        assertThat(fanout.authenticatedPeers()).isEmpty();
    }

    @Test
    void aTypingEventReachesEverySocketOfTheConversationButTheTypistsOwn() {
        WsPeer a = peer("u-a", "d1");
        WsPeer b1 = peer("u-b", "d2");
        WsPeer b2 = peer("u-b", "d3");
        WsPeer stranger = peer("u-c", "d4");
        fanout.register(a, List.of("c1"));
        fanout.register(b1, List.of("c1"));
        fanout.register(b2, List.of("c1"));
        fanout.register(stranger, List.of("c2"));
        f.bus.publish(EventBus.conversationTopic("c1"), new BusEvent.Typing("c1", "u-a", TypingState.START));
        assertThat(socket(a).written).isEmpty();
        assertThat(socket(b1).ofType("typing")).hasSize(1);
        assertThat(socket(b2).ofType("typing")).hasSize(1);
        assertThat(socket(stranger).written).isEmpty();
        // One encoding shared by every recipient.
        assertThat(socket(b1).written.getFirst()).isSameAs(socket(b2).written.getFirst());
    }

    @Test
    void theSamePresenceIsAnnouncedOncePerSocketEvenFromSeveralConversations() {
        WsPeer a = peer("u-a", "d1");
        fanout.register(a, List.of("c1", "c2"));
        var offline = new BusEvent.PresenceChanged("u-b", false, 1_000L);
        f.bus.publish(EventBus.conversationTopic("c1"), offline);
        f.bus.publish(EventBus.conversationTopic("c2"), offline);
        assertThat(socket(a).ofType("presence")).hasSize(1);
        f.bus.publish(EventBus.conversationTopic("c2"), new BusEvent.PresenceChanged("u-b", true, null));
        assertThat(socket(a).ofType("presence")).hasSize(2);
    }

    @Test
    void aMembershipChangeMovesTheUsersSocketsInAndOut() {
        WsPeer a = peer("u-a", "d1");
        fanout.register(a, List.of());
        f.bus.publish(EventBus.userTopic("u-a"), new BusEvent.MembershipChanged("c9", List.of("u-a"), List.of()));
        assertThat(fanout.conversationsOf(a)).containsExactly("c9");
        f.bus.publish(EventBus.userTopic("u-a"), new BusEvent.MembershipChanged("c9", List.of(), List.of("u-a")));
        assertThat(fanout.conversationsOf(a)).isEmpty();
        assertThat(fanout.conversationTopics()).isZero();
    }

    @Test
    void aRevokedDeviceClosesOnlyThatDevicesSockets() {
        WsPeer d1 = peer("u-a", "d1");
        WsPeer d2 = peer("u-a", "d2");
        fanout.register(d1, List.of());
        fanout.register(d2, List.of());
        f.bus.publish(EventBus.userTopic("u-a"), new BusEvent.DeviceRevoked("u-a", "d1"));
        assertThat(socket(d1).closedWith).isEqualTo(CloseCode.UNAUTHORIZED);
        assertThat(socket(d2).closedWith).isNull();
    }

    @Test
    void aClosedSocketIsSkippedByTheFanOut() {
        WsPeer a = peer("u-a", "d1");
        WsPeer b = peer("u-b", "d2");
        fanout.register(a, List.of("c1"));
        fanout.register(b, List.of("c1"));
        b.markClosed();
        f.bus.publish(EventBus.conversationTopic("c1"), new BusEvent.Typing("c1", "u-a", TypingState.START));
        assertThat(socket(b).written).isEmpty();
    }
}
