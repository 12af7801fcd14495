package dev.parley.server.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatService;
import dev.parley.core.Limits;
import dev.parley.core.PlainHasher;
import dev.parley.core.PresencePrivacy;
import dev.parley.core.PresenceService;
import dev.parley.core.RandomIds;
import dev.parley.core.RateBudgets;
import dev.parley.core.event.BusEvent;
import dev.parley.core.media.InMemoryMediaStore;
import dev.parley.core.memory.InMemoryAccountStore;
import dev.parley.core.memory.InMemoryEngagementStore;
import dev.parley.core.memory.InMemoryMessageStore;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.PasswordHasher;
import dev.parley.protocol.ConversationKind;
import dev.parley.server.backplane.Backplane;
import dev.parley.server.backplane.LocalBackplane;
import dev.parley.server.config.ServerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What RedisBackplane wires for a node: its presence sweep reaches PresenceService on another node. */
class RedisBackplaneTest {
    private final String prefix = TestRedis.freshPrefix();
    private final Clock clock = Clock.systemUTC();
    private final ServerConfig.BusConfig config = new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS,
            TestRedis.url(), prefix, false, false, 1_000);
    private final InMemoryMessageStore log = new InMemoryMessageStore();
    private Backplane crashed;
    private Backplane survivor;
    private ChatService chat;

    @AfterEach
    void close() {
        if (chat != null) {
            chat.close();
        }
        if (survivor != null) {
            survivor.close();
        }
        if (crashed != null) {
            crashed.close();
        }
        TestRedis.deleteKeys(prefix);
    }

    @Test
    void openPicksTheEngineTheConfigNames() {
        try (Backplane local = Backplane.open(new ServerConfig.BusConfig(ServerConfig.BusConfig.LOCAL, null), log,
                clock)) {
            assertThat(local).isInstanceOf(LocalBackplane.class);
        }
        survivor = Backplane.open(config, log, clock);
        assertThat(survivor).isInstanceOf(RedisBackplane.class);
    }

    @Test
    void usersOfANodeThatStoppedHeartbeatingGoOfflineThroughAnotherNodesPresenceService() {
        survivor = Backplane.open(config, log, clock);
        PasswordHasher plain = new PlainHasher();
        var ids = new RandomIds(clock);
        var accountStore = new InMemoryAccountStore();
        var accounts = new AccountService(accountStore, plain, survivor.rateLimiter(), survivor.bus(), ids, clock,
                Limits.defaults());
        chat = new ChatService(log, accountStore, new InMemoryMediaStore(), survivor.bus(), survivor.rateLimiter(),
                ids, clock, Limits.defaults(), RateBudgets.defaults());
        String alice = accounts.signUp("alice", "password-alice", null).userId();
        String bob = accounts.signUp("bob", "password-bob", null).userId();
        var presence = new PresenceService(survivor.presence(), chat, survivor.bus(), clock, PresencePrivacy.attached(
                new InMemoryEngagementStore(), chat, survivor.bus(), clock, Runnable::run));
        // Alice created the group: her presence is shown to its members (docs/security.md, privacy of presence).
        String c = chat.createConversation(new Caller(alice, "dev-a"), ConversationKind.GROUP, List.of(bob), "team", false)
                .conversation().conversationId();
        survivor.attach(chat, presence);
        List<BusEvent> events = new CopyOnWriteArrayList<>();
        EventBus.Subscription sub = survivor.bus().subscribe(EventBus.conversationTopic(c), events::add);

        // Alice is online through another node, which then stops without saying goodbye (no heartbeats).
        crashed = Backplane.open(config, log, clock);
        assertThat(crashed.presence().connected(alice, "conn-on-crashed-node")).isTrue();
        crashed.close();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events)
                .anyMatch(e -> e instanceof BusEvent.PresenceChanged p && p.userId().equals(alice) && !p.online()));
        assertThat(survivor.presence().isOnline(alice)).isFalse();
        sub.close();
    }
}
