package dev.parley.server.gateway.ws;

import dev.parley.core.AccountService;
import dev.parley.core.ChatService;
import dev.parley.core.Limits;
import dev.parley.core.PlainHasher;
import dev.parley.core.PresencePrivacy;
import dev.parley.core.PresenceService;
import dev.parley.core.RandomIds;
import dev.parley.core.media.InMemoryMediaStore;
import dev.parley.core.memory.InMemoryAccountStore;
import dev.parley.core.memory.InMemoryEngagementStore;
import dev.parley.core.memory.InMemoryMessageStore;
import dev.parley.core.memory.InMemoryPresenceStore;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.server.config.ConnectionConfig;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** The ws gateway on the in-memory core, with no network: sockets are {@link RecordingSocket}s. */
final class GatewayFixture implements AutoCloseable {
    static final int MAX_FRAME_BYTES = 4096;

    final Clock clock = Clock.systemUTC();
    final LocalEventBus bus = new LocalEventBus();
    final InMemoryAccountStore accountStore = new InMemoryAccountStore();
    final AccountService accounts;
    final ChatService chat;
    final PresenceService presence;
    final ExecutorService blocking;
    final Vertx vertx = Vertx.vertx();
    final WebSocketGateway gateway;

    /** Tasks the gateway handed to its blocking executor (lanes and the like). */
    final AtomicLong laneTasks = new AtomicLong();

    GatewayFixture() {
        this(Executors.newVirtualThreadPerTaskExecutor(), ConnectionConfig.defaults());
    }

    GatewayFixture(ExecutorService blocking, ConnectionConfig connections) {
        this.blocking = blocking;
        RandomIds ids = new RandomIds(clock);
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(clock);
        accounts = new AccountService(accountStore, new PlainHasher(), limiter, bus, ids, clock, Limits.defaults());
        chat = new ChatService(new InMemoryMessageStore(), accountStore, new InMemoryMediaStore(), bus, limiter, ids,
                clock, Limits.defaults());
        presence = new PresenceService(new InMemoryPresenceStore(), chat, bus, clock, PresencePrivacy.attached(
                new InMemoryEngagementStore(), chat, bus, clock, blocking));
        ExecutorService counted = new java.util.concurrent.AbstractExecutorService() {
            @Override
            public void execute(Runnable task) {
                laneTasks.incrementAndGet();
                blocking.execute(task);
            }

            @Override
            public void shutdown() {
            }

            @Override
            public List<Runnable> shutdownNow() {
                return List.of();
            }

            @Override
            public boolean isShutdown() {
                return false;
            }

            @Override
            public boolean isTerminated() {
                return false;
            }

            @Override
            public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
                return true;
            }
        };
        gateway = new WebSocketGateway(vertx, accounts, chat, presence, bus, counted, ids, clock, List.of(),
                MAX_FRAME_BYTES, connections);
    }

    /** A signed-up user with one signed-in device. */
    record User(String userId, String deviceId, String token) {
    }

    User user(String handle) {
        accounts.signUp(handle, "password-" + handle, null);
        var s = accounts.signIn(handle, "password-" + handle, "test", "127.0.0.1");
        return new User(s.userId(), s.deviceId(), s.token());
    }

    @Override
    public void close() {
        blocking.close();
        chat.close();
        vertx.close();
    }
}
