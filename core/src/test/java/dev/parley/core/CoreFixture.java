package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.media.InMemoryMediaStore;
import dev.parley.core.memory.InMemoryAccountStore;
import dev.parley.core.memory.InMemoryMessageStore;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.PasswordHasher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The core wired on in-memory ports, with a recorder of every bus event on chosen topics. */
final class CoreFixture implements AutoCloseable {
    final TestClock clock = new TestClock();
    final InMemoryMessageStore store = new InMemoryMessageStore();
    final InMemoryAccountStore accountStore = new InMemoryAccountStore();
    final InMemoryMediaStore media = new InMemoryMediaStore();
    final LocalEventBus bus = new LocalEventBus();
    final InMemoryRateLimiter rateLimiter = new InMemoryRateLimiter(clock);
    final AccountService accounts;
    final ChatService chat;

    CoreFixture(Limits limits, RateBudgets budgets) {
        RandomIds ids = new RandomIds(clock);
        accounts = new AccountService(accountStore, new ReversingHasher(), rateLimiter, bus, ids, clock, limits);
        chat = new ChatService(store, accountStore, media, bus, rateLimiter, ids, clock, limits, budgets);
    }

    CoreFixture(Limits limits) {
        this(limits, RateBudgets.defaults());
    }

    CoreFixture() {
        this(Limits.defaults());
    }

    /** Signs a new user up and in; returns their device. */
    Caller user(String handle) {
        accounts.signUp(handle, "password-" + handle, null);
        var s = accounts.signIn(handle, "password-" + handle, "test", "127.0.0.1");
        return new Caller(s.userId(), s.deviceId());
    }

    List<BusEvent> record(String topic) {
        List<BusEvent> events = new CopyOnWriteArrayList<>();
        bus.subscribe(topic, events::add);
        return events;
    }

    List<BusEvent> recordConversation(String conversationId) {
        return record(EventBus.conversationTopic(conversationId));
    }

    @Override
    public void close() {
        chat.close();
    }

    /** A cheap, deterministic stand-in for Argon2 (the real hasher is tested in the server module). */
    static final class ReversingHasher implements PasswordHasher {
        @Override
        public String hash(char[] password) {
            return "rev:" + new StringBuilder(new String(password)).reverse();
        }

        @Override
        public boolean verify(char[] password, String encodedHash) {
            return hash(password).equals(encodedHash);
        }
    }
}
