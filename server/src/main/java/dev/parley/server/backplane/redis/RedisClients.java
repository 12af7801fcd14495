package dev.parley.server.backplane.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's connections to Redis (standalone or Redis Cluster) and the adapters on them: the event bus,
 * presence, rate limits and session snapshots, each undecorated (contract tests use them as they are;
 * {@link RedisBackplane} puts them together for a node).
 *
 * <p>Two clients share one set of threads. The bus client queues commands while Redis is away (bounded)
 * and replays them on reconnect, so a short outage only delays events. The state client (presence, rate
 * limits) refuses commands while disconnected and times out quickly, so a Redis outage never stalls a
 * send: presence calls then do nothing and rate limits let traffic through. Both reconnect within about
 * a second of Redis coming back.
 */
public final class RedisClients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisClients.class);
    /** Publishes held while Redis is unreachable; beyond this they fail (and receivers heal from the store). */
    static final int PUBLISH_QUEUE = 50_000;

    private final ClientResources resources;
    private final List<AbstractRedisClient> clients = new ArrayList<>();
    private final List<StatefulConnection<String, String>> connections = new ArrayList<>();
    private final RedisEventBus bus;
    private final RedisPresenceStore presence;
    private final RedisRateLimiter rateLimiter;
    private final RedisSessionSnapshots sessions;
    private final AtomicBoolean lostConnection = new AtomicBoolean();
    private volatile boolean started;

    /**
     * Connects to {@code redis://host:port[/db]}, or with {@code cluster} to a Redis Cluster through one or
     * more seed nodes ({@code redis://host1:port1,redis://host2:port2}).
     *
     * @param prefix  prepended to every key and channel, so clusters can share a Redis
     * @param sharded sharded pub/sub (Redis 7 {@code SSUBSCRIBE}/{@code SPUBLISH})
     * @param cluster connect as a Redis Cluster client (slot routing, topology discovery)
     * @param presenceTtl how long a connection stays online without a heartbeat (a crashed node's users go
     *                    offline after this); heartbeats run every third of it
     */
    public RedisClients(String url, String prefix, boolean sharded, boolean cluster, Duration presenceTtl,
                          Clock clock) {
        List<RedisURI> uris = new ArrayList<>();
        for (String part : url.split(",")) {
            RedisURI uri = RedisURI.create(part.strip());
            uri.setTimeout(Duration.ofSeconds(2));
            uris.add(uri);
        }
        String where = uris.stream().map(u -> u.getHost() + ":" + u.getPort()).toList().toString();
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        resources.eventBus().get().subscribe(this::onConnectionEvent);
        SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build();
        // The bus queues while disconnected (replayed on reconnect); state commands fail fast instead.
        var busOptions = ClusterClientOptions.builder().autoReconnect(true).socketOptions(socket)
                .requestQueueSize(PUBLISH_QUEUE)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS).build();
        // (On a cluster, connections to each shard open lazily, so there a command waits for its shard's
        // connection, bounded by the 1 s timeout, instead of being rejected.)
        var stateOptions = ClusterClientOptions.builder().autoReconnect(true).socketOptions(socket)
                .disconnectedBehavior(cluster ? ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS
                        : ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1))).build();
        try {
            RedisClusterCommands<String, String> sync;
            RedisClusterAsyncCommands<String, String> async;
            if (cluster) {
                RedisClusterClient busClient = RedisClusterClient.create(resources, uris);
                busClient.setOptions(busOptions);
                clients.add(busClient);
                RedisClusterClient stateClient = RedisClusterClient.create(resources, uris);
                stateClient.setOptions(stateOptions);
                clients.add(stateClient);
                var sub = busClient.connectPubSub(StringCodec.UTF8);
                var pub = busClient.connect(StringCodec.UTF8);
                var state = stateClient.connect(StringCodec.UTF8);
                connections.addAll(List.of(sub, pub, state));
                bus = new RedisEventBus(sub, pub, pub.async(), prefix, sharded);
                sync = state.sync();
                async = state.async();
            } else {
                RedisClient busClient = RedisClient.create(resources, uris.getFirst());
                busClient.setOptions(busOptions);
                clients.add(busClient);
                RedisClient stateClient = RedisClient.create(resources, uris.getFirst());
                stateClient.setOptions(stateOptions);
                clients.add(stateClient);
                var sub = busClient.connectPubSub(StringCodec.UTF8);
                var pub = busClient.connect(StringCodec.UTF8);
                var state = stateClient.connect(StringCodec.UTF8);
                connections.addAll(List.of(sub, pub, state));
                bus = new RedisEventBus(sub, pub, pub.async(), prefix, sharded);
                sync = state.sync();
                async = state.async();
            }
            presence = new RedisPresenceStore(sync, async, prefix, presenceTtl, clock);
            rateLimiter = new RedisRateLimiter(sync, prefix, clock);
            sessions = new RedisSessionSnapshots(sync, prefix);
        } catch (RuntimeException e) {
            shutdownClients();
            throw new IllegalStateException("cannot connect to Redis at " + where + ": " + e.getMessage(), e);
        }
        started = true;
        log.info("connected to Redis {} at {} (prefix '{}', {} pub/sub)", cluster ? "Cluster" : "", where, prefix,
                sharded ? "sharded" : "classic");
    }

    /** After any connection to Redis was lost and is back, the bus subscribes again and heals. */
    private void onConnectionEvent(Event event) {
        if (event instanceof ConnectionDeactivatedEvent) {
            if (started) {
                lostConnection.set(true);
            }
        } else if (event instanceof ConnectionActivatedEvent && started && lostConnection.getAndSet(false)) {
            bus.reconnected();
        }
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

    public RedisSessionSnapshots sessions() {
        return sessions;
    }

    @Override
    public void close() {
        started = false;
        presence.close();
        bus.close();
        shutdownClients();
    }

    private void shutdownClients() {
        for (StatefulConnection<String, String> c : connections) {
            try {
                if (c.isOpen()) {
                    c.close();
                }
            } catch (RuntimeException e) {
                log.debug("closing a Redis connection: {}", e.toString());
            }
        }
        for (AbstractRedisClient c : clients) {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
