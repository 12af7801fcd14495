package dev.parley.server.backplane.redis;

import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.PresenceStore;
import dev.parley.core.port.RateLimiter;
import dev.parley.server.backplane.Backplane;
import dev.parley.server.backplane.GapHealingBus;
import dev.parley.server.backplane.MembershipBroadcast;
import dev.parley.server.backplane.SessionSnapshots;
import dev.parley.server.backplane.nats.JetStreamEventBus;
import dev.parley.server.config.ServerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node on one Redis (docs/scaling.md). Redis pub/sub is best effort, so the bus is wrapped: a
 * {@link GapHealingBus} re-reads from the store what a node missed (after every reconnect, all topics),
 * and a {@link MembershipBroadcast} tells every node when members change. Presence lives in Redis with a
 * time to live that this node's heartbeats refresh; a sweep takes connections of crashed nodes offline.
 *
 * <p>With {@code bus.type jetstream} the events travel on a {@link JetStreamEventBus} instead (durable: a node
 * that was cut off replays what it missed from the stream), while presence, rate limits and sessions stay here.
 */
public final class RedisBackplane implements Backplane {
    private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

    private final RedisClients clients;
    /** The durable stream carrying events instead of Redis pub/sub, or null. */
    private final JetStreamEventBus stream;
    private final EventBus bus;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final List<EventBus.Subscription> subscriptions = new ArrayList<>();

    private RedisBackplane(RedisClients clients, JetStreamEventBus stream, GapHealingBus.EntrySource entries,
                           Clock clock) {
        this.clients = clients;
        this.stream = stream;
        this.clock = clock;
        GapHealingBus healing;
        if (stream == null) {
            healing = new GapHealingBus(clients.bus(), entries);
            // Events published while Redis was away were lost: every topic reads what it missed from the store.
            clients.bus().onReconnect(healing::healAll);
        } else {
            // The stream replays what a node missed, receipts, revocations and membership changes included.
            // Entries are also re-read from the store once the node reads the stream again: publishes that
            // waited in other nodes during the outage reach the stream only as those nodes' retries succeed,
            // while the store already holds them (entries that then come twice are passed on once). Crossed
            // publishes of two nodes (seq 6 stored before 5) are put in order by the healing bus as on Redis.
            healing = new GapHealingBus(stream, entries);
            stream.onReconnect(healing::healAll);
        }
        this.bus = new MembershipBroadcast(healing);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-presence");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects to the Redis {@code config} names; throws {@link IllegalStateException} if it cannot. */
    public static RedisBackplane open(ServerConfig.BusConfig config, GapHealingBus.EntrySource entries,
                                      Clock clock) {
        RedisClients clients = new RedisClients(config.url(), config.prefix(), config.sharded(), config.cluster(),
                Duration.ofMillis(config.presenceTtlMs()), clock);
        JetStreamEventBus stream = null;
        if (ServerConfig.BusConfig.JETSTREAM.equals(config.type())) {
            try {
                stream = new JetStreamEventBus(config.streamUrl(), config.prefix(),
                        Duration.ofMillis(config.streamRetentionMs()));
            } catch (RuntimeException e) {
                clients.close();
                throw e;
            }
        }
        return new RedisBackplane(clients, stream, entries, clock);
    }

    @Override
    public EventBus bus() {
        return bus;
    }

    @Override
    public PresenceStore presence() {
        return clients.presence();
    }

    @Override
    public RateLimiter rateLimiter() {
        return clients.rateLimiter();
    }

    @Override
    public SessionSnapshots sessions() {
        return clients.sessions();
    }

    @Override
    public synchronized void attach(ChatService chat, PresenceService presence) {
        subscriptions.add(MembershipBroadcast.subscribe(bus, chat::forgetMembers));
        // Membership changes announced while Redis was away were missed: start from the store again.
        onReconnect(chat::forgetAllMembers);
        RedisPresenceStore store = clients.presence();
        long every = Math.max(100, store.ttl().toMillis() / 3);
        // runs on: the parley-presence thread
        timer.scheduleWithFixedDelay(() -> {
            try {
                store.heartbeat(clock.millis());
                store.sweep(clock.millis(), every, presence::expired);
            } catch (RuntimeException e) {
                log.debug("presence timer: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onReconnect(Runnable action) {
        if (stream != null) {
            stream.onReconnect(action);
        } else {
            clients.bus().onReconnect(action);
        }
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        subscriptions.forEach(EventBus.Subscription::close);
        subscriptions.clear();
        bus.close();
        clients.close();
    }
}
