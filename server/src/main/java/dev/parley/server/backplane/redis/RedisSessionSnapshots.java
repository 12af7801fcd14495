package dev.parley.server.backplane.redis;

import dev.parley.server.backplane.SessionSnapshots;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.Optional;

/**
 * Session snapshots as plain Redis strings with a time to live ({@code SET … PX}), one key per session,
 * so Redis drops an abandoned session by itself. On the state connection: while Redis is away every call
 * fails fast with {@link IllegalStateException}.
 */
public final class RedisSessionSnapshots implements SessionSnapshots {
    private final RedisClusterCommands<String, String> redis;
    private final String prefix;

    public RedisSessionSnapshots(RedisClusterCommands<String, String> redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix + "s:";
    }

    @Override
    public Optional<String> load(String key) {
        try {
            return Optional.ofNullable(redis.get(prefix + key));
        } catch (RedisException e) {
            throw new IllegalStateException("Redis unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public void save(String key, String value, Duration ttl) {
        try {
            redis.set(prefix + key, value, SetArgs.Builder.px(Math.max(1, ttl.toMillis())));
        } catch (RedisException e) {
            throw new IllegalStateException("Redis unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            redis.del(prefix + key);
        } catch (RedisException e) {
            throw new IllegalStateException("Redis unavailable: " + e.getMessage(), e);
        }
    }
}
