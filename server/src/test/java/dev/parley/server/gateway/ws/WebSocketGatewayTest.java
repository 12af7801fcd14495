package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.Caller;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's frame handling driven through {@link RecordingSocket}s: no network, the real core in memory. */
class WebSocketGatewayTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    final GatewayFixture f = new GatewayFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Opens a socket and says hello as {@code user}; returns once welcomed. */
    private Peer signedIn(GatewayFixture.User user) {
        Peer p = new Peer();
        f.gateway.text(p.peer, "{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + user.token() + "\"}");
        await().atMost(WAIT).until(() -> !p.socket.ofType("welcome").isEmpty());
        return p;
    }

    private final class Peer {
        final RecordingSocket socket = new RecordingSocket();
        final WsPeer peer = f.gateway.open(socket);
    }

    private String direct(GatewayFixture.User a, GatewayFixture.User b) {
        ConversationView view = f.chat.createConversation(new Caller(a.userId(), a.deviceId()), ConversationKind.DIRECT,
                List.of(b.userId()), null, false).conversation();
        return view.conversationId();
    }

    @Test
    void aFrameBeforeHelloClosesWith4401() {
        Peer p = new Peer();
        f.gateway.text(p.peer, "{\"t\":\"ping\",\"id\":\"1\"}");
        await().atMost(WAIT).until(() -> p.socket.closedWith != null);
        assertThat(p.socket.closedWith).isEqualTo(CloseCode.UNAUTHORIZED);
        assertThat(CloseCode.UNAUTHORIZED.code()).isEqualTo((short) 4401);
    }

    @Test
    void aBadTokenClosesWith4401AndNoWelcome() {
        Peer p = new Peer();
        f.gateway.text(p.peer, "{\"t\":\"hello\",\"id\":\"h\",\"token\":\"nope\"}");
        await().atMost(WAIT).until(() -> p.socket.closedWith != null);
        assertThat(p.socket.closedWith).isEqualTo(CloseCode.UNAUTHORIZED);
        assertThat(p.socket.ofType("welcome")).isEmpty();
    }

    @Test
    void noHelloWithinTheTimeoutCloses() {
        Peer p = new Peer();
        // The timer fires early in the test; the deadline has not passed, so it re-arms.
        p.socket.fireTimers();
        assertThat(p.socket.closedWith).isNull();
        assertThat(p.socket.timers).hasSize(1);
        p.peer.openedNanos -= Duration.ofHours(1).toNanos();
        p.socket.fireTimers();
        assertThat(p.socket.closedWith).isEqualTo(CloseCode.UNAUTHORIZED);
    }

    @Test
    void aQuietSocketIsPingedThenAbandonedWith4408() {
        Peer p = signedIn(f.user("quiet"));
        p.socket.fireTimers();
        assertThat(p.socket.pings).isZero();
        // Quiet past the ping interval: pinged, and the timer re-armed for the pong timeout.
        setQuiet(p, Duration.ofMillis(25_000 + 10));
        p.socket.fireTimers();
        assertThat(p.socket.pings).isEqualTo(1);
        assertThat(p.socket.closedWith).isNull();
        setQuiet(p, Duration.ofMillis(25_000 + 20_000 + 10));
        p.socket.fireTimers();
        assertThat(p.socket.closedWith).isEqualTo(CloseCode.NO_PONG);
        assertThat(p.socket.abandoned).isTrue();
    }

    @Test
    void socketsOpenedTogetherArePingedAtTimesSpreadOverTheLastFifthOfTheInterval() {
        long interval = Duration.ofMillis(25_000).toNanos();
        List<Long> pingAfter = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pingAfter.add(new Peer().peer.pingAfterNanos);
        }
        assertThat(pingAfter).allSatisfy(n -> assertThat(n).isBetween(interval - interval / 5, interval));
        // 200 draws from a 5 s range: all within 2.5 s of each other has a probability of 2^-199.
        assertThat(Collections.max(pingAfter) - Collections.min(pingAfter)).isGreaterThan(interval / 10);

        // Each socket keeps to its own time: quiet a second short of it, no ping; past it, a ping; past it and
        // the pong timeout, closed.
        Peer p = signedIn(f.user("spread"));
        long own = p.peer.pingAfterNanos;
        setQuiet(p, Duration.ofNanos(own).minusSeconds(1));
        p.socket.fireTimers();
        assertThat(p.socket.pings).isZero();
        setQuiet(p, Duration.ofNanos(own).plusMillis(10));
        p.socket.fireTimers();
        assertThat(p.socket.pings).isEqualTo(1);
        assertThat(p.socket.closedWith).isNull();
        setQuiet(p, Duration.ofNanos(own).plusMillis(20_000 + 10));
        p.socket.fireTimers();
        assertThat(p.socket.closedWith).isEqualTo(CloseCode.NO_PONG);
    }

    private static void setQuiet(Peer p, Duration quiet) {
        try {
            var field = WsPeer.class.getDeclaredField("lastHeardNanos");
            field.setAccessible(true);
            field.setLong(p.peer, System.nanoTime() - quiet.toNanos());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aSendIsAnsweredSentAndReachesEveryMemberSocketOnce() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        Peer b1 = signedIn(bob);
        Peer b2 = signedIn(bob);
        f.gateway.text(a.peer, "{\"t\":\"send\",\"id\":\"s1\",\"conversationId\":\"" + conv
                + "\",\"clientMsgId\":\"m1\",\"body\":\"hi\"}");
        await().atMost(WAIT).until(() -> !a.socket.ofType("sent").isEmpty());
        assertThat(a.socket.ofType("sent").getFirst()).contains("\"id\":\"s1\"").contains("\"seq\":1");
        for (Peer p : List.of(a, b1, b2)) {
            await().atMost(WAIT).until(() -> p.socket.ofType("message").size() == 1);
            assertThat(p.socket.ofType("message").getFirst()).contains("\"body\":\"hi\"");
        }
    }

    @Test
    void typingReachesTheOtherMembersButNotTheTypist() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        Peer b = signedIn(bob);
        f.gateway.text(a.peer, "{\"t\":\"typing\",\"id\":\"t1\",\"conversationId\":\"" + conv
                + "\",\"state\":\"start\"}");
        await().atMost(WAIT).until(() -> !a.socket.ofType("ok").isEmpty());
        await().atMost(WAIT).until(() -> !b.socket.ofType("typing").isEmpty());
        assertThat(a.socket.ofType("typing")).isEmpty();
    }

    @Test
    void malformedAndBinaryFramesAreAnsweredAndTheSocketKeepsServing() {
        Peer p = signedIn(f.user("carol"));
        f.gateway.text(p.peer, "{not json");
        f.gateway.binary(p.peer);
        f.gateway.text(p.peer, "{\"t\":\"ping\",\"id\":\"p1\"}");
        await().atMost(WAIT).until(() -> !p.socket.ofType("pong").isEmpty());
        assertThat(p.socket.ofType("error")).hasSize(2);
        assertThat(p.socket.closedWith).isNull();
    }

    @Test
    void oversizedAndInvalidTextMessagesCloseWithTheirCodes() {
        Peer big = signedIn(f.user("dave"));
        f.gateway.tooBig(big.peer);
        assertThat(big.socket.closedWith).isEqualTo(CloseCode.TOO_BIG);
        assertThat(CloseCode.TOO_BIG.code()).isEqualTo((short) 1009);
        Peer bad = signedIn(f.user("erin"));
        f.gateway.invalidText(bad.peer);
        assertThat(bad.socket.closedWith).isEqualTo(CloseCode.INVALID_TEXT);
        assertThat(CloseCode.INVALID_TEXT.code()).isEqualTo((short) 1007);
    }

    @Test
    void aSocketPastItsOutboundBoundGetsAGracePeriodThenIsClosedAsTooSlow() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        Peer b = signedIn(bob);
        b.socket.writable = false;
        int timersBefore = b.socket.timers.size();
        send(a, conv, "m1");
        // Still written within the grace period (a starved client catches up), and the grace timer is set.
        await().atMost(WAIT).until(() -> b.socket.ofType("message").size() == 1);
        assertThat(b.socket.closedWith).isNull();
        assertThat(b.socket.timers).hasSize(timersBefore + 1);
        send(a, conv, "m2");
        await().atMost(WAIT).until(() -> b.socket.ofType("message").size() == 2);
        assertThat(b.socket.timers).as("one grace timer however many frames").hasSize(timersBefore + 1);
        // Still past the bound when the period ends: closed, and nothing more is written.
        b.socket.fireTimers();
        assertThat(b.socket.closedWith).isEqualTo(CloseCode.TOO_SLOW);
        send(a, conv, "m3");
        await().atMost(WAIT).until(() -> a.socket.ofType("message").size() == 3);
        assertThat(b.socket.ofType("message")).hasSize(2);
    }

    @Test
    void aSocketThatCatchesUpWithinTheGracePeriodStaysOpen() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        Peer b = signedIn(bob);
        b.socket.writable = false;
        send(a, conv, "m1");
        await().atMost(WAIT).until(() -> b.socket.ofType("message").size() == 1);
        b.socket.writable = true;
        b.socket.fireTimers();
        assertThat(b.socket.closedWith).isNull();
        send(a, conv, "m2");
        await().atMost(WAIT).until(() -> b.socket.ofType("message").size() == 2);
        assertThat(b.socket.closedWith).isNull();
    }

    @Test
    void aSocketSeenBackUnderTheBoundDuringTheGracePeriodIsNotClosedWhenItEnds() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        Peer b = signedIn(bob);
        b.socket.writable = false;
        send(a, conv, "m1");
        await().atMost(WAIT).until(() -> b.socket.ofType("message").size() == 1);
        b.socket.writable = true;
        send(a, conv, "m2");
        await().atMost(WAIT).until(() -> b.socket.ofType("message").size() == 2);
        // Past the bound again at the end, but not all along: no close now.
        b.socket.writable = false;
        b.socket.fireTimers();
        assertThat(b.socket.closedWith).isNull();
        // A new period starts with the next frame past the bound; past it all along, the socket is closed.
        send(a, conv, "m3");
        await().atMost(WAIT).until(() -> b.socket.ofType("message").size() == 3);
        b.socket.fireTimers();
        assertThat(b.socket.closedWith).isEqualTo(CloseCode.TOO_SLOW);
    }

    @Test
    void aSocketPastTheHardBoundIsClosedAtOnceInsteadOfBuffered() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        Peer b = signedIn(bob);
        b.socket.writable = false;
        b.socket.pastHardBound = true;
        send(a, conv, "m1");
        await().atMost(WAIT).until(() -> b.socket.closedWith != null);
        assertThat(b.socket.closedWith).isEqualTo(CloseCode.TOO_SLOW);
        assertThat(b.socket.ofType("message")).isEmpty();
        await().atMost(WAIT).until(() -> a.socket.ofType("message").size() == 1);
    }

    private void send(Peer from, String conv, String clientMsgId) {
        f.gateway.text(from.peer, "{\"t\":\"send\",\"id\":\"" + clientMsgId + "\",\"conversationId\":\"" + conv
                + "\",\"clientMsgId\":\"" + clientMsgId + "\",\"body\":\"hi\"}");
    }

    @Test
    void aClosedSocketLeavesTheRoutingTableAndIsNeverWrittenAgain() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        Peer b = signedIn(bob);
        assertThat(f.gateway.conversationTopics()).isEqualTo(1);
        f.gateway.closed(b.peer);
        int before = b.socket.written.size();
        f.gateway.text(a.peer, "{\"t\":\"send\",\"id\":\"s1\",\"conversationId\":\"" + conv
                + "\",\"clientMsgId\":\"m1\",\"body\":\"hi\"}");
        await().atMost(WAIT).until(() -> a.socket.ofType("message").size() == 1);
        assertThat(b.socket.written).hasSize(before);
        f.gateway.closed(a.peer);
        await().atMost(WAIT).until(() -> f.gateway.conversationTopics() == 0);
    }

    @Test
    void aRevokedDeviceIsClosedWith4401() {
        var alice = f.user("alice");
        Peer a = signedIn(alice);
        f.accounts.signOut(new Caller(alice.userId(), alice.deviceId()));
        await().atMost(WAIT).until(() -> a.socket.closedWith != null);
        assertThat(a.socket.closedWith).isEqualTo(CloseCode.UNAUTHORIZED);
    }

    @Test
    void aSendWithItsMembershipCachedRunsOnTheSocketsThreadAndRepliesStayInOrder() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        // The first send loads the membership into the cache (on the lane: that read may block).
        f.gateway.text(a.peer, "{\"t\":\"send\",\"id\":\"s0\",\"conversationId\":\"" + conv
                + "\",\"clientMsgId\":\"m0\",\"body\":\"hi\"}");
        await().atMost(WAIT).until(() -> a.socket.ofType("sent").size() == 1);
        await().atMost(WAIT).until(() -> a.peer.lane.pending() == 0);
        long laneTasksBefore = f.laneTasks.get();
        for (int i = 1; i <= 20; i++) {
            f.gateway.text(a.peer, "{\"t\":\"send\",\"id\":\"s" + i + "\",\"conversationId\":\"" + conv
                    + "\",\"clientMsgId\":\"m" + i + "\",\"body\":\"hi\"}");
        }
        await().atMost(WAIT).until(() -> a.socket.ofType("sent").size() == 21);
        assertThat(f.laneTasks.get()).as("no hand-off to the lane").isEqualTo(laneTasksBefore);
        List<String> sent = a.socket.ofType("sent");
        for (int i = 0; i <= 20; i++) {
            assertThat(sent.get(i)).contains("\"id\":\"s" + i + "\"").contains("\"seq\":" + (i + 1) + ",");
        }
    }

    @Test
    void aSendThatMustReadTheStoreStillGoesThroughTheLane() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        String conv = direct(alice, bob);
        Peer a = signedIn(alice);
        f.chat.forgetMembers(conv);
        long laneTasksBefore = f.laneTasks.get();
        f.gateway.text(a.peer, "{\"t\":\"send\",\"id\":\"s1\",\"conversationId\":\"" + conv
                + "\",\"clientMsgId\":\"m1\",\"body\":\"hi\"}");
        await().atMost(WAIT).until(() -> a.socket.ofType("sent").size() == 1);
        assertThat(f.laneTasks.get()).isGreaterThan(laneTasksBefore);
    }

    @Test
    void aSendToAConversationOfOthersIsRefusedOnEitherPath() {
        var alice = f.user("alice");
        var bob = f.user("bob");
        var eve = f.user("eve");
        String conv = direct(alice, bob);
        Peer e = signedIn(eve);
        f.chat.isMember(conv, alice.userId()); // cached: the refusal comes from the event loop
        f.gateway.text(e.peer, "{\"t\":\"send\",\"id\":\"s1\",\"conversationId\":\"" + conv
                + "\",\"clientMsgId\":\"m1\",\"body\":\"hi\"}");
        await().atMost(WAIT).until(() -> e.socket.ofType("error").size() == 1);
        assertThat(e.socket.ofType("error").getFirst()).contains("\"id\":\"s1\"").contains("not_found");
        assertThat(e.socket.closedWith).isNull();
    }
}
