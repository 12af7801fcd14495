package dev.parley.server.backplane.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.Json;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus on Redis Pub/Sub. Each topic is the channel {@code <prefix><topic>}; events travel as the
 * JSON of {@link BusEvent} (type in the field {@code e}).
 *
 * <p>One Redis subscription per topic however many local handlers it has: the first handler subscribes,
 * the last one to leave unsubscribes. Subscribing never blocks (the command is queued on the connection),
 * so handlers may subscribe from inside a delivery; an event published before Redis confirmed the
 * subscription may be missed, which the store heals (see {@code GapHealingBus}).
 *
 * <p>All subscriptions share one connection (on a cluster, one per shard), so a topic's deliveries come
 * on one Redis client thread in the order Redis sent them: the publish order of each publisher. Handlers
 * must not block. Publishes
 * share another connection and are asynchronous: a failure is logged and never reaches the caller,
 * since the event is already committed. While Redis is away publishes are queued (bounded) and sent on
 * reconnect; after a reconnect every topic is subscribed again and the reconnect listeners run, so
 * callers can re-read what they may have missed.
 *
 * <p>With {@code sharded}, {@code SSUBSCRIBE}/{@code SPUBLISH} (Redis 7) replace {@code SUBSCRIBE}/
 * {@code PUBLISH}: on Redis Cluster a channel then lives on the shard that owns its slot instead of being
 * broadcast to every node of the cluster.
 */
public final class RedisEventBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(RedisEventBus.class);
    private static final ObjectMapper MAPPER = Json.mapper();

    private final String prefix;
    private final boolean sharded;
    private final StatefulRedisPubSubConnection<String, String> subConnection;
    private final RedisPubSubAsyncCommands<String, String> sub;
    private final StatefulConnection<String, String> pubConnection;
    private final BaseRedisAsyncCommands<String, String> pub;
    /** Local handlers per topic; changed under {@code this}, read lock-free on delivery. */
    private final Map<String, CopyOnWriteArrayList<Consumer<BusEvent>>> topics = new ConcurrentHashMap<>();
    /** Per topic: completes when Redis confirmed this node's subscription (see {@link Subscription#ready()}). */
    private final Map<String, CompletableFuture<Void>> confirmations = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile long lastFailureLogMs;
    private volatile boolean closed;

    /**
     * A bus on two connections: one for subscriptions, one for publishes (standalone or cluster; on a
     * cluster, Lettuce routes sharded subscriptions and publishes to the shard owning the channel's slot).
     * {@link #reconnected()} must be called when Redis comes back after an outage.
     *
     * @param prefix  prepended to every channel name (isolates clusters sharing one Redis)
     * @param sharded use sharded pub/sub ({@code SSUBSCRIBE}/{@code SPUBLISH})
     */
    public RedisEventBus(StatefulRedisPubSubConnection<String, String> subConnection,
                         StatefulConnection<String, String> pubConnection, BaseRedisAsyncCommands<String, String> pub,
                         String prefix, boolean sharded) {
        this.prefix = prefix;
        this.sharded = sharded;
        this.subConnection = subConnection;
        this.sub = subConnection.async();
        this.pubConnection = pubConnection;
        this.pub = pub;
        subConnection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                deliver(channel, message);
            }

            @Override
            public void smessage(String shardChannel, String message) {
                deliver(shardChannel, message);
            }
        });
    }

    @Override
    public void publish(String topic, BusEvent event) {
        if (closed) {
            return;
        }
        String json;
        try {
            json = MAPPER.writeValueAsString(event);
        } catch (Exception e) {
            log.error("cannot encode bus event {}", event.getClass().getSimpleName(), e);
            return;
        }
        String channel = prefix + topic;
        try {
            var future = sharded ? pub.spublish(channel, json) : pub.publish(channel, json);
            future.whenComplete((receivers, failure) -> {
                if (failure != null) {
                    publishFailed(topic, failure);
                }
            });
        } catch (RuntimeException e) {
            publishFailed(topic, e);
        }
    }

    private void publishFailed(String topic, Throwable failure) {
        long n = publishFailures.incrementAndGet();
        long now = System.currentTimeMillis();
        if (now - lastFailureLogMs > 5_000) {
            lastFailureLogMs = now;
            log.warn("publish to Redis failed (topic {}, {} failures so far): {}; receivers heal from the store",
                    topic, n, failure.toString());
        }
    }

    @Override
    public Subscription subscribe(String topic, Consumer<BusEvent> handler) {
        String channel = prefix + topic;
        CompletableFuture<Void> ready;
        synchronized (this) {
            var handlers = topics.get(topic);
            if (handlers == null) {
                handlers = new CopyOnWriteArrayList<>();
                topics.put(topic, handlers);
                CompletableFuture<Void> confirmed = new CompletableFuture<>();
                confirmations.put(topic, confirmed);
                if (!closed) {
                    var f = sharded ? sub.ssubscribe(channel) : sub.subscribe(channel);
                    f.whenComplete((v, e) -> {
                        if (e != null) {
                            log.warn("subscribe to {} failed: {}", topic, e.toString());
                        }
                        confirmed.complete(null);
                    });
                } else {
                    confirmed.complete(null);
                }
            }
            handlers.add(handler);
            ready = confirmations.getOrDefault(topic, CompletableFuture.completedFuture(null));
        }
        return new Subscription() {
            private boolean done;

            @Override
            public CompletableFuture<Void> ready() {
                return ready;
            }

            @Override
            public void close() {
                synchronized (RedisEventBus.this) {
                    if (done) {
                        return;
                    }
                    done = true;
                    var handlers = topics.get(topic);
                    if (handlers == null || !handlers.remove(handler) || !handlers.isEmpty()) {
                        return;
                    }
                    topics.remove(topic);
                    confirmations.remove(topic);
                        if (!closed) {
                        var f = sharded ? sub.sunsubscribe(channel) : sub.unsubscribe(channel);
                        f.whenComplete((v, e) -> {
                            if (e != null) {
                                log.debug("unsubscribe from {} failed: {}", topic, e.toString());
                            }
                        });
                    }
                }
            }
        };
    }

    /**
     * Runs {@code listener} (on a Redis client thread; it must not block) each time the subscriptions are
     * back after Redis was unreachable, once Redis confirmed them: events published meanwhile were lost.
     */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** Topics with at least one local handler (one Redis subscription each). */
    public synchronized int topicCount() {
        return topics.size();
    }

    /** Publishes that failed since start (for metrics). */
    public long publishFailures() {
        return publishFailures.get();
    }

    /**
     * Redis was unreachable and is back: subscribes to every topic again (harmless where the client already
     * did) and, once Redis confirmed, runs the reconnect listeners.
     */
    public void reconnected() {
        if (!closed) {
            resubscribe();
        }
    }

    private void resubscribe() {
        String[] channels;
        synchronized (this) {
            channels = topics.keySet().stream().map(t -> prefix + t).toArray(String[]::new);
        }
        log.info("Redis is back: subscribing again to {} topics", channels.length);
        if (channels.length == 0) {
            fireReconnected();
            return;
        }
        var f = sharded ? sub.ssubscribe(channels) : sub.subscribe(channels);
        f.whenComplete((v, e) -> {
            if (e != null) {
                log.warn("re-subscribing after reconnect failed: {}", e.toString());
            }
            fireReconnected();
        });
    }

    private void fireReconnected() {
        for (Runnable r : reconnectListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("reconnect listener failed", e);
            }
        }
    }

    private void deliver(String channel, String message) {
        if (!channel.startsWith(prefix)) {
            return;
        }
        String topic = channel.substring(prefix.length());
        var handlers = topics.get(topic);
        if (handlers == null || handlers.isEmpty()) {
            return;
        }
        BusEvent event;
        try {
            event = MAPPER.readValue(message, BusEvent.class);
        } catch (Exception e) {
            log.warn("ignoring an undecodable event on topic {}: {}", topic, e.toString());
            return;
        }
        for (Consumer<BusEvent> handler : handlers) {
            try {
                handler.accept(event);
            } catch (RuntimeException e) {
                log.warn("bus handler failed on topic {} for {}", topic, event.getClass().getSimpleName(), e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            topics.clear();
        }
        try {
            subConnection.closeAsync().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("closing the subscription connection: {}", e.toString());
        }
        try {
            pubConnection.closeAsync().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("closing the publish connection: {}", e.toString());
        }
    }
}
