package dev.parley.server.backplane;

import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.PresenceStore;
import dev.parley.core.port.RateLimiter;
import dev.parley.server.backplane.redis.RedisBackplane;
import dev.parley.server.config.ServerConfig;
import java.time.Clock;

/**
 * What the nodes of a cluster share besides the store: the event bus (with the decorators that make a
 * shared bus safe: {@link GapHealingBus}, {@link MembershipBroadcast}), presence with its expiry, the
 * rate-limit buckets, persistent gateway sessions, and what a node must redo when the shared medium was
 * away. {@code ParleyServer} builds one with {@link #open} and knows nothing about the engine behind it.
 *
 * <p>Two engines: {@link LocalBackplane} (one node, everything in this process) and {@link RedisBackplane}
 * (every node on one Redis; docs/scaling.md), the latter optionally with its events on a NATS JetStream stream
 * ({@code bus.type jetstream}).
 */
public interface Backplane extends AutoCloseable {

    /** The engine {@code bus.type} names; {@code log} is where a shared bus heals missed entries from. */
    static Backplane open(ServerConfig.BusConfig config, MessageStore log, Clock clock) {
        if (ServerConfig.BusConfig.REDIS.equals(config.type())
                || ServerConfig.BusConfig.JETSTREAM.equals(config.type())) {
            return RedisBackplane.open(config, GapHealingBus.EntrySource.of(log), clock);
        }
        return new LocalBackplane(clock);
    }

    /** The bus the core publishes to and gateways subscribe on, decorators included. */
    EventBus bus();

    /** Who is online, across every node of the cluster. */
    PresenceStore presence();

    /** Token buckets shared by every node, so a budget is per user, not per user and node. */
    RateLimiter rateLimiter();

    /** Persistent gateway sessions (MQTT), visible to every node so a client may come back anywhere. */
    SessionSnapshots sessions();

    /**
     * Connects this node's caches and presence to the cluster, once both exist: member caches are forgotten
     * when any node changes a membership and after the bus was away; users whose connections died with
     * another node go offline through {@code presence}. Call once, before the node serves.
     */
    void attach(ChatService chat, PresenceService presence);

    /**
     * Runs {@code action} each time the shared medium came back after an outage, when events may have been
     * missed (for example to re-check open sockets). {@code action} runs on a client thread and must not
     * block. Never runs on a local backplane.
     */
    void onReconnect(Runnable action);

    /** Stops timers, the bus and every connection; idempotent. */
    @Override
    void close();
}
