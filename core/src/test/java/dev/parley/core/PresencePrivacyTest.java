package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.event.BusEvent;
import dev.parley.core.memory.InMemoryEngagementStore;
import dev.parley.core.memory.InMemoryPresenceStore;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The privacy-of-presence rule in the core: a stranger who opens a conversation learns nothing of the other
 * person's presence until that person accepts or replies; the request flag; group invitations; blocks.
 */
class PresencePrivacyTest {
    private final CoreFixture f = new CoreFixture();
    private final Caller alice = f.user("alice");
    private final Caller stranger = f.user("stranger");
    private final Caller bob = f.user("bob");
    private final PresencePrivacy privacy = PresencePrivacy.attached(new InMemoryEngagementStore(), f.chat, f.bus,
            f.clock, Runnable::run);
    private final PresenceService presence = new PresenceService(new InMemoryPresenceStore(), f.chat, f.bus, f.clock,
            privacy);

    @AfterEach
    void close() {
        f.close();
    }

    private String direct(Caller from, Caller to) {
        return f.chat.createConversation(from, ConversationKind.DIRECT, List.of(to.userId()), null, false).conversation()
                .conversationId();
    }

    private void send(Caller from, String conversationId, String text) {
        f.chat.send(from, new ClientFrame.Send(null, conversationId, "m-" + text, text, null, null, null, null)).join();
    }

    private static List<String> who(List<ServerFrame.Presence> snapshot) {
        return snapshot.stream().map(ServerFrame.Presence::userId).toList();
    }

    @Test
    void aStrangerWhoOpensADirectConversationLearnsNothingOfThePresenceUntilTheRecipientAccepts() {
        presence.connected(alice.userId(), "a-1");
        String dm = direct(stranger, alice);
        var events = f.recordConversation(dm);

        presence.disconnected(alice.userId(), "a-1");
        presence.connected(alice.userId(), "a-2");
        assertThat(events).isEmpty();
        assertThat(who(presence.snapshot(stranger.userId()))).doesNotContain(alice.userId());
        assertThat(privacy.visible(alice.userId(), stranger.userId())).isFalse();
        // The other way round: the stranger chose to talk, so Alice sees them.
        presence.connected(stranger.userId(), "s-1");
        assertThat(who(presence.snapshot(alice.userId()))).containsExactly(stranger.userId());
        assertThat(privacy.visible(stranger.userId(), alice.userId())).isTrue();
        assertThat(f.chat.conversation(alice, dm).request()).isTrue();
        assertThat(f.chat.conversation(stranger, dm).request()).isNull();

        events.clear();
        var view = privacy.accept(alice, dm);

        assertThat(view.request()).isNull();
        assertThat(events).contains(new BusEvent.PresenceChanged(alice.userId(), true, null));
        assertThat(who(presence.snapshot(stranger.userId()))).containsExactly(alice.userId());
        assertThat(privacy.visible(alice.userId(), stranger.userId())).isTrue();
        events.clear();
        presence.disconnected(alice.userId(), "a-2");
        assertThat(events).containsExactly(new BusEvent.PresenceChanged(alice.userId(), false, f.clock.millis()));
    }

    @Test
    void acceptingIsIdempotentAndTellsTheUsersOwnDevicesOnce() {
        String dm = direct(stranger, alice);
        var mine = f.record(EventBus.userTopic(alice.userId()));
        privacy.accept(alice, dm);
        privacy.accept(alice, dm);
        assertThat(mine).containsExactly(new BusEvent.MembershipChanged(dm, List.of(), List.of()));
    }

    @Test
    void replyingEngagesAsAcceptingDoes() {
        String dm = direct(stranger, alice);
        presence.connected(alice.userId(), "a-1");
        var events = f.recordConversation(dm);

        send(alice, dm, "who are you?");

        assertThat(events).contains(new BusEvent.PresenceChanged(alice.userId(), true, null));
        assertThat(f.chat.conversation(alice, dm).request()).isNull();
        assertThat(who(presence.snapshot(stranger.userId()))).containsExactly(alice.userId());
    }

    @Test
    void aStrangersMessageDoesNotEngageTheRecipient() {
        String dm = direct(stranger, alice);
        send(stranger, dm, "hi");
        presence.connected(alice.userId(), "a-1");
        assertThat(who(presence.snapshot(stranger.userId()))).isEmpty();
        assertThat(f.chat.conversation(alice, dm).request()).isTrue();
    }

    @Test
    void beingAddedToAGroupByAStrangerShowsNothingUntilTheMemberAcceptsOrSpeaks() {
        presence.connected(alice.userId(), "a-1");
        presence.connected(bob.userId(), "b-1");
        String group = f.chat.createConversation(stranger, ConversationKind.GROUP, List.of(alice.userId(), bob.userId()), "hey",
                false).conversation().conversationId();
        assertThat(who(presence.snapshot(stranger.userId()))).isEmpty();
        assertThat(who(presence.snapshot(alice.userId()))).doesNotContain(bob.userId());
        assertThat(presence.presenceIn(group, List.of(alice.userId(), bob.userId()))).isEmpty();
        // Group invitations are not message requests: the flag is for direct conversations only.
        assertThat(f.chat.conversation(alice, group).request()).isNull();

        privacy.accept(bob, group);
        assertThat(who(presence.snapshot(stranger.userId()))).containsExactly(bob.userId());
        assertThat(who(presence.snapshot(alice.userId()))).containsExactly(bob.userId());
        assertThat(who(presence.presenceIn(group, List.of(alice.userId(), bob.userId()))))
                .containsExactly(bob.userId());
    }

    @Test
    void presenceIsPublishedOnlyOnConversationsTheUserIsEngagedIn() {
        String mine = direct(alice, bob);
        String theirs = direct(stranger, alice);
        var toMine = f.recordConversation(mine);
        var toTheirs = f.recordConversation(theirs);
        presence.connected(alice.userId(), "a-1");
        assertThat(toMine).containsExactly(new BusEvent.PresenceChanged(alice.userId(), true, null));
        assertThat(toTheirs).isEmpty();
        assertThat(privacy.shownOn(alice.userId())).containsExactly(mine);
    }

    @Test
    void aBlockEitherWayHidesPresenceBothWays() {
        Set<String> blocks = ConcurrentHashMap.newKeySet();
        privacy.useBlocks((blocker, blocked) -> blocks.contains(blocker + ">" + blocked));
        String dm = direct(alice, bob);
        privacy.accept(bob, dm);
        presence.connected(alice.userId(), "a-1");
        presence.connected(bob.userId(), "b-1");
        assertThat(privacy.visible(alice.userId(), bob.userId())).isTrue();

        blocks.add(alice.userId() + ">" + bob.userId());

        assertThat(privacy.visible(alice.userId(), bob.userId())).isFalse();
        assertThat(privacy.visible(bob.userId(), alice.userId())).isFalse();
        assertThat(privacy.mayDeliver(alice.userId(), bob.userId())).isFalse();
        assertThat(privacy.mayDeliver(bob.userId(), alice.userId())).isFalse();
        assertThat(presence.snapshot(bob.userId())).isEmpty();
        assertThat(presence.snapshot(alice.userId())).isEmpty();
        assertThat(privacy.visibleIn(dm, alice.userId(), bob.userId())).isFalse();

        blocks.clear();
        assertThat(who(presence.snapshot(bob.userId()))).containsExactly(alice.userId());
        assertThat(privacy.visibleIn(dm, alice.userId(), bob.userId())).isTrue();
    }

    @Test
    void aDirectConversationFromSomeoneTheUserTalksWithElsewhereIsNoRequest() {
        String group = f.chat.createConversation(bob, ConversationKind.GROUP, List.of(alice.userId()), "team", false)
                .conversation().conversationId();
        String dm = direct(bob, alice);
        assertThat(f.chat.conversation(alice, dm).request()).isTrue(); // Alice has not spoken anywhere with Bob
        send(alice, group, "hello team");
        assertThat(f.chat.conversation(alice, dm).request()).isNull();
        // Her presence was already shown to Bob through the group; the direct conversation changes nothing.
        assertThat(privacy.visible(alice.userId(), bob.userId())).isTrue();
    }

    @Test
    void onlyAMemberMayAccept() {
        String dm = direct(stranger, alice);
        assertThatThrownBy(() -> privacy.accept(bob, dm)).isInstanceOf(ChatException.class)
                .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThatThrownBy(() -> privacy.accept(bob, "")).isInstanceOf(ChatException.class)
                .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(privacy.engagement().isEngaged(dm, bob.userId())).isFalse();
    }

    @Test
    void theCacheLearnsOfEngagementsAnnouncedByOtherNodes() {
        String dm = direct(stranger, alice);
        privacy.engagement().engagedIn(dm); // cached on this node now
        assertThat(privacy.engagement().knownEngaged(dm, stranger.userId())).isTrue();
        assertThat(privacy.engagement().knownEngaged(dm, alice.userId())).isFalse();
        // Another node recorded Alice's accept and announced it.
        f.bus.publish(Engagement.TOPIC, new BusEvent.MembershipChanged(dm, List.of(alice.userId()), List.of()));
        assertThat(privacy.engagement().knownEngaged(dm, alice.userId())).isTrue();
    }
}
