package dev.parley.server.backplane.redis;

import dev.parley.core.port.PresenceStore;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence shared by every node, in Redis.
 *
 * <p>Per user, a sorted set {@code <prefix>p:{userId}} of connection ids scored by when each expires,
 * and {@code <prefix>seen:{userId}} with the last-seen time (the braces keep a user's keys in one Redis
 * Cluster slot). A user is online while one of their connections has not expired. Connecting and
 * disconnecting are Lua scripts, so "first connection" and "last connection" are decided atomically
 * across nodes. Each node refreshes the expiry of its own connections ({@link #heartbeat}); if a node
 * dies its connections simply expire. A global index {@code <prefix>p:expiry} (connection → expiry)
 * lets one node at a time ({@link #sweep}, under a short lock) find expired connections and report the
 * users who thereby went offline, so others see them go.
 *
 * <p>Redis trouble never fails a socket: calls then log and answer "no transition" / "offline".
 */
public final class RedisPresenceStore implements PresenceStore {
    private static final Logger log = LoggerFactory.getLogger(RedisPresenceStore.class);
    private static final int SWEEP_BATCH = 500;

    // KEYS: conns; ARGV: connectionId, now, expiresAt, keyTtlMs → 1 if the user had no live connection
    private static final RedisScript CONNECT = new RedisScript("""
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
            local before = redis.call('ZCARD', KEYS[1])
            redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            if before == 0 then return 1 end
            return 0
            """);

    // KEYS: conns, seen; ARGV: connectionId, now → 1 if that was the user's last live connection
    private static final RedisScript DISCONNECT = new RedisScript("""
            local removed = redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
            local left = redis.call('ZCARD', KEYS[1])
            redis.call('SET', KEYS[2], ARGV[2])
            if removed == 1 and left == 0 then return 1 end
            return 0
            """);

    // KEYS: conns, seen; ARGV: connectionId, now, ttlMs → 1 if expiring that connection took the user offline
    private static final RedisScript EXPIRE = new RedisScript("""
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not score then return 0 end
            if tonumber(score) > tonumber(ARGV[2]) then return 0 end
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
            if redis.call('ZCARD', KEYS[1]) == 0 then
              redis.call('SET', KEYS[2], tostring(tonumber(score) - tonumber(ARGV[3])))
              return 1
            end
            return 0
            """);

    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final String prefix;
    private final Duration ttl;
    private final Clock clock;
    private final String indexKey;
    private final String sweepLockKey;
    private final String nodeToken = java.util.UUID.randomUUID().toString();
    /** This node's live connections: connection id → user id. */
    private final Map<String, String> local = new ConcurrentHashMap<>();

    public RedisPresenceStore(RedisClusterCommands<String, String> redis, RedisClusterAsyncCommands<String, String> async,
                              String prefix, Duration ttl, Clock clock) {
        this.redis = redis;
        this.async = async;
        this.prefix = prefix;
        this.ttl = ttl;
        this.clock = clock;
        this.indexKey = prefix + "p:expiry";
        this.sweepLockKey = prefix + "p:sweeper";
    }

    public Duration ttl() {
        return ttl;
    }

    private String connsKey(String userId) {
        return prefix + "p:{" + userId + "}";
    }

    private String seenKey(String userId) {
        return prefix + "seen:{" + userId + "}";
    }

    private static String indexMember(String userId, String connectionId) {
        return userId + "\n" + connectionId;
    }

    @Override
    public boolean connected(String userId, String connectionId) {
        local.put(connectionId, userId);
        long now = clock.millis();
        long expires = now + ttl.toMillis();
        try {
            boolean first = CONNECT.evalLong(redis, new String[] {connsKey(userId)}, connectionId,
                    Long.toString(now), Long.toString(expires), Long.toString(ttl.toMillis() * 2)) == 1;
            redis.zadd(indexKey, (double) expires, indexMember(userId, connectionId));
            return first;
        } catch (RuntimeException e) {
            log.warn("presence: cannot record a connection in Redis: {}", e.toString());
            return false;
        }
    }

    @Override
    public boolean disconnected(String userId, String connectionId, long nowMs) {
        local.remove(connectionId);
        try {
            boolean last = DISCONNECT.evalLong(redis, new String[] {connsKey(userId), seenKey(userId)},
                    connectionId, Long.toString(nowMs)) == 1;
            redis.zrem(indexKey, indexMember(userId, connectionId));
            return last;
        } catch (RuntimeException e) {
            log.warn("presence: cannot record a disconnection in Redis: {}", e.toString());
            return false;
        }
    }

    /**
     * Pushes the expiry of this node's connections forward. Connections Redis lost (it restarted) are
     * added back, so users stay online across a Redis restart.
     */
    @Override
    public void heartbeat(long nowMs) {
        if (local.isEmpty()) {
            return;
        }
        long expires = nowMs + ttl.toMillis();
        String score = Long.toString(expires);
        var snapshot = List.copyOf(local.entrySet());
        try {
            List<RedisFuture<?>> pending = new ArrayList<>(snapshot.size() * 3);
            for (var e : snapshot) {
                String connectionId = e.getKey();
                String userId = e.getValue();
                pending.add(async.zadd(connsKey(userId), ZAddArgs.Builder.gt(), (double) expires, connectionId));
                pending.add(async.pexpire(connsKey(userId), ttl.toMillis() * 2));
                pending.add(async.zadd(indexKey, ZAddArgs.Builder.gt(), (double) expires,
                        indexMember(userId, connectionId)));
            }
            LettuceFutures.awaitAll(ttl, pending.toArray(RedisFuture[]::new));
            // A connection that closed while we refreshed it must not linger until it expires.
            for (var e : snapshot) {
                if (!local.containsKey(e.getKey())) {
                    redis.zrem(connsKey(e.getValue()), e.getKey());
                    redis.zrem(indexKey, indexMember(e.getValue(), e.getKey()));
                }
            }
            log.trace("presence heartbeat for {} connections (expiry {})", snapshot.size(), score);
        } catch (RuntimeException ex) {
            log.debug("presence heartbeat failed: {}", ex.toString());
        }
    }

    /**
     * Takes expired connections (of crashed nodes) offline, if no other node is sweeping now, and calls
     * {@code wentOffline(userId, lastSeenMs)} for each user left with no connection.
     *
     * @param lockMs how long this node holds the sweep lock
     * @return how many users went offline
     */
    public int sweep(long nowMs, long lockMs, BiConsumer<String, Long> wentOffline) {
        try {
            String ok = redis.set(sweepLockKey, nodeToken, SetArgs.Builder.nx().px(lockMs));
            if (!"OK".equals(ok)) {
                return 0;
            }
            int offline = 0;
            List<String> expired = redis.zrangebyscore(indexKey, Range.create(Double.NEGATIVE_INFINITY, (double) nowMs),
                    Limit.create(0, SWEEP_BATCH));
            for (String member : expired) {
                int nl = member.indexOf('\n');
                if (nl < 0) {
                    redis.zrem(indexKey, member);
                    continue;
                }
                String userId = member.substring(0, nl);
                String connectionId = member.substring(nl + 1);
                if (local.containsKey(connectionId)) {
                    continue; // ours and alive: the next heartbeat refreshes it
                }
                boolean gone = EXPIRE.evalLong(redis, new String[] {connsKey(userId), seenKey(userId)},
                        connectionId, Long.toString(nowMs), Long.toString(ttl.toMillis())) == 1;
                redis.zrem(indexKey, member);
                if (gone) {
                    offline++;
                    long seen = lastSeenMs(userId).orElse(nowMs);
                    try {
                        wentOffline.accept(userId, seen);
                    } catch (RuntimeException e) {
                        log.warn("presence: reporting {} offline failed: {}", userId, e.toString());
                    }
                }
            }
            if (offline > 0) {
                log.info("presence: {} users of unreachable nodes went offline", offline);
            }
            return offline;
        } catch (RuntimeException e) {
            log.debug("presence sweep failed: {}", e.toString());
            return 0;
        }
    }

    @Override
    public boolean isOnline(String userId) {
        try {
            Long n = redis.zcount(connsKey(userId), Range.create((double) clock.millis(), Double.POSITIVE_INFINITY));
            return n != null && n > 0;
        } catch (RuntimeException e) {
            log.debug("presence: isOnline failed: {}", e.toString());
            return false;
        }
    }

    @Override
    public Set<String> liveConnections(String userId) {
        try {
            return Set.copyOf(redis.zrangebyscore(connsKey(userId),
                    Range.create((double) clock.millis(), Double.POSITIVE_INFINITY)));
        } catch (RuntimeException e) {
            log.debug("presence: liveConnections failed: {}", e.toString());
            return Set.of();
        }
    }

    @Override
    public Optional<Long> lastSeenMs(String userId) {
        try {
            String v = redis.get(seenKey(userId));
            return v == null ? Optional.empty() : Optional.of((long) Double.parseDouble(v));
        } catch (RuntimeException e) {
            log.debug("presence: lastSeen failed: {}", e.toString());
            return Optional.empty();
        }
    }

    /** Connections this node holds (for tests and metrics). */
    public int localConnections() {
        return local.size();
    }

    @Override
    public void close() {
        local.clear();
    }
}
