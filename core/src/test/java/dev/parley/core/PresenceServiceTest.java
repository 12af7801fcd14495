package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.event.BusEvent;
import dev.parley.core.memory.InMemoryEngagementStore;
import dev.parley.core.memory.InMemoryPresenceStore;
import dev.parley.protocol.ConversationKind;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PresenceServiceTest {
    private final CoreFixture f = new CoreFixture();
    private final Caller alice = f.user("alice");
    private final Caller bob = f.user("bob");
    private final Caller carol = f.user("carol");
    private final PresencePrivacy privacy = PresencePrivacy.attached(new InMemoryEngagementStore(), f.chat, f.bus,
            f.clock, Runnable::run);
    private final PresenceService presence = new PresenceService(new InMemoryPresenceStore(), f.chat, f.bus, f.clock,
            privacy);

    @AfterEach
    void close() {
        f.close();
    }

    private String group(Caller owner, Caller... others) {
        List<String> ids = java.util.Arrays.stream(others).map(Caller::userId).toList();
        return f.chat.createConversation(owner, ConversationKind.GROUP, ids, "team", false).conversation().conversationId();
    }

    @Test
    void aUserExpiredByTheBackplaneGoesOfflineInEachConversationTheyChoseToTalkInAndNowhereElse() {
        String withBob = group(alice, bob);
        String withCarol = group(carol, alice);
        privacy.accept(alice, withCarol); // Alice chose to talk there too (created by Carol)
        String without = group(bob, carol);
        var toBob = f.recordConversation(withBob);
        var toCarol = f.recordConversation(withCarol);
        var elsewhere = f.recordConversation(without);

        presence.expired(alice.userId(), 1_234L);

        var offline = new BusEvent.PresenceChanged(alice.userId(), false, 1_234L);
        assertThat(toBob).containsExactly(offline);
        assertThat(toCarol).containsExactly(offline);
        assertThat(elsewhere).isEmpty();
    }

    @Test
    void theLastConnectionGoingPublishesTheSameOfflineEventAsAnExpiry() {
        String c = group(alice, bob);
        presence.connected(alice.userId(), "conn-1");
        var events = f.recordConversation(c);
        presence.disconnected(alice.userId(), "conn-1");
        assertThat(events).containsExactly(new BusEvent.PresenceChanged(alice.userId(), false, f.clock.millis()));
    }
}
