package dev.parley.server.bus.redis;

import dev.parley.server.presence.redis.RedisPresenceStore;
import dev.parley.server.ratelimit.redis.RedisRateLimiter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's connections to Redis and the three adapters on them: the event bus, presence and rate limits.
 *
 * <p>Two clients share one set of threads. The bus client queues commands while Redis is away (bounded)
 * and replays them on reconnect, so a short outage only delays events. The state client (presence, rate
 * limits) refuses commands while disconnected and times out quickly, so a Redis outage never stalls a
 * send: presence calls then do nothing and rate limits let traffic through. Both reconnect within about
 * a second of Redis coming back.
 */
public final class RedisBackplane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);
    /** Publishes held while Redis is unreachable; beyond this they fail (and receivers heal from the store). */
    static final int PUBLISH_QUEUE = 50_000;

    private final ClientResources resources;
    private final RedisClient busClient;
    private final RedisClient stateClient;
    private final StatefulRedisConnection<String, String> stateConnection;
    private final RedisEventBus bus;
    private final RedisPresenceStore presence;
    private final RedisRateLimiter rateLimiter;
    private final ScheduledExecutorService timer;
    private final Clock clock;

    /**
     * Connects to {@code redis://host:port[/db]}.
     *
     * @param prefix  prepended to every key and channel, so clusters can share a Redis
     * @param sharded sharded pub/sub (Redis 7 {@code SSUBSCRIBE}/{@code SPUBLISH})
     * @param presenceTtl how long a connection stays online without a heartbeat (a crashed node's users go
     *                    offline after this); heartbeats run every third of it
     */
    public RedisBackplane(String url, String prefix, boolean sharded, Duration presenceTtl, Clock clock) {
        this.clock = clock;
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(2));
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build();
        busClient = RedisClient.create(resources, uri);
        busClient.setOptions(ClientOptions.builder().autoReconnect(true).socketOptions(socket)
                .requestQueueSize(PUBLISH_QUEUE)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .build());
        stateClient = RedisClient.create(resources, uri);
        stateClient.setOptions(ClientOptions.builder().autoReconnect(true).socketOptions(socket)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1)))
                .build());
        try {
            bus = new RedisEventBus(busClient, prefix, sharded);
            stateConnection = stateClient.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            shutdownClients();
            throw new IllegalStateException("cannot connect to Redis at " + uri.getHost() + ":" + uri.getPort()
                    + ": " + e.getMessage(), e);
        }
        presence = new RedisPresenceStore(stateConnection, prefix, presenceTtl, clock);
        rateLimiter = new RedisRateLimiter(stateConnection.sync(), prefix, clock);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-presence");
            t.setDaemon(true);
            return t;
        });
        log.info("connected to Redis at {}:{} (prefix '{}', {} pub/sub)", uri.getHost(), uri.getPort(), prefix,
                sharded ? "sharded" : "classic");
    }

    public RedisEventBus bus() {
        return bus;
    }

    public RedisPresenceStore presence() {
        return presence;
    }

    public RedisRateLimiter rateLimiter() {
        return rateLimiter;
    }

    /**
     * Starts the presence timer: heartbeats for this node's connections, and a sweep (by one node at a
     * time) that takes connections of crashed nodes offline, calling {@code onExpired(userId, lastSeenMs)}
     * for each user who thereby went offline.
     */
    public void startPresenceTimer(BiConsumer<String, Long> onExpired) {
        long every = Math.max(100, presence.ttl().toMillis() / 3);
        timer.scheduleWithFixedDelay(() -> {
            try {
                presence.heartbeat(clock.millis());
                presence.sweep(clock.millis(), every, onExpired);
            } catch (RuntimeException e) {
                log.debug("presence timer: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        presence.close();
        bus.close();
        try {
            stateConnection.close();
        } catch (RuntimeException e) {
            log.debug("closing the state connection: {}", e.toString());
        }
        shutdownClients();
    }

    private void shutdownClients() {
        busClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        stateClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
