package dev.parley.server.backplane.redis;

import dev.parley.core.port.RateLimiter;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets shared by every node, one Redis hash {@code <prefix>rl:{key}} each ({@code t} tokens,
 * {@code ts} last refill), refilled and taken from in one Lua script so concurrent nodes never both take
 * the last token. Buckets expire once they would be full again. Times come from the node's clock (passed
 * to the script); a node whose clock is behind never refills a bucket backwards. A refund is a second
 * script on the same hash, so take-then-refund is as atomic as a single take.
 *
 * <p>If Redis cannot be reached the limiter lets the call through (and logs): limits protect the
 * service, and a Redis outage must not stop people from sending. Throttles that guard secrets ask with
 * {@link #tryAcquireOrFail}, which refuses instead.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

    // KEYS: bucket; ARGV: perSecond, burst, now, take (1/0) → ms to wait (0 = a token is/was there)
    private static final RedisScript BUCKET = new RedisScript("""
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local now = tonumber(ARGV[3])
            local b = redis.call('HMGET', KEYS[1], 't', 'ts')
            local tokens = tonumber(b[1])
            local ts = tonumber(b[2])
            if tokens == nil or ts == nil then
              tokens = burst
              ts = now
            end
            if now > ts then
              tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
              ts = now
            end
            local wait = 0
            if tokens >= 1 then
              if ARGV[4] == '1' then
                tokens = tokens - 1
                redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(ts))
                redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
              end
            else
              wait = math.ceil((1 - tokens) * 1000 / rate)
              if wait < 1 then wait = 1 end
            end
            return wait
            """);

    // KEYS: bucket; ARGV: perSecond, burst, now → 1 if a token was given back, 0 if the bucket was full/absent
    private static final RedisScript REFUND = new RedisScript("""
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local now = tonumber(ARGV[3])
            local b = redis.call('HMGET', KEYS[1], 't', 'ts')
            local tokens = tonumber(b[1])
            local ts = tonumber(b[2])
            if tokens == nil or ts == nil then
              return 0
            end
            if now > ts then
              tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
              ts = now
            end
            if tokens >= burst then
              return 0
            end
            tokens = math.min(burst, tokens + 1)
            redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(ts))
            redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
            return 1
            """);

    private final RedisClusterCommands<String, String> redis;
    private final String prefix;
    private final Clock clock;
    private volatile long lastWarnMs;

    public RedisRateLimiter(RedisClusterCommands<String, String> redis, String prefix, Clock clock) {
        this.redis = redis;
        this.prefix = prefix;
        this.clock = clock;
    }

    @Override
    public long tryAcquire(String key, double perSecond, int burst) {
        return check(key, perSecond, burst, true);
    }

    @Override
    public long tryAcquireOrFail(String key, double perSecond, int burst) {
        if (perSecond <= 0) {
            return 0;
        }
        try {
            return eval(key, perSecond, burst, true);
        } catch (RuntimeException e) {
            warn(e);
            throw new RateLimiter.Unavailable("rate limiter unavailable", e);
        }
    }

    @Override
    public long peek(String key, double perSecond, int burst) {
        return check(key, perSecond, burst, false);
    }

    @Override
    public void refund(String key, double perSecond, int burst) {
        if (perSecond <= 0) {
            return;
        }
        try {
            REFUND.evalLong(redis, new String[] {bucketKey(key)}, Double.toString(perSecond),
                    Integer.toString(Math.max(1, burst)), Long.toString(clock.millis()));
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    private long eval(String key, double perSecond, int burst, boolean take) {
        return BUCKET.evalLong(redis, new String[] {bucketKey(key)}, Double.toString(perSecond),
                Integer.toString(Math.max(1, burst)), Long.toString(clock.millis()), take ? "1" : "0");
    }

    private String bucketKey(String key) {
        return prefix + "rl:{" + key + "}";
    }

    private void warn(RuntimeException e) {
        long now = System.currentTimeMillis();
        if (now - lastWarnMs > 5_000) {
            lastWarnMs = now;
            log.warn("rate limiter: Redis unavailable, letting traffic through: {}", e.toString());
        }
    }

    private long check(String key, double perSecond, int burst, boolean take) {
        if (perSecond <= 0) {
            return 0;
        }
        try {
            return eval(key, perSecond, burst, take);
        } catch (RuntimeException e) {
            warn(e);
            return 0;
        }
    }
}
