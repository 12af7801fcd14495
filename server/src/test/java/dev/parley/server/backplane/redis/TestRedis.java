package dev.parley.server.backplane.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The Redis used by tests: {@code PARLEY_TEST_REDIS_URL} (default {@code redis://127.0.0.1:6379}). Tests
 * isolate themselves with a random key and channel prefix. When Redis cannot be reached the calling test
 * is skipped with a message, except under {@code CI=true}, where it fails.
 */
public final class TestRedis {
    public static final String DEFAULT_URL = "redis://127.0.0.1:6379";

    private TestRedis() {
    }

    public static String url() {
        String url = System.getenv("PARLEY_TEST_REDIS_URL");
        return url == null || url.isBlank() ? DEFAULT_URL : url;
    }

    /** A fresh prefix for keys and channels, after checking Redis answers. */
    public static String freshPrefix() {
        requireReachable(url());
        return "test:" + UUID.randomUUID().toString().substring(0, 12) + ":";
    }

    public static void requireReachable(String url) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(2));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().ping();
        } catch (RuntimeException e) {
            String message = "Redis at " + url + " is not reachable (" + e.getMessage()
                    + "); set PARLEY_TEST_REDIS_URL to a Redis 7 server";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + " [CI=true: failing instead of skipping]", e);
            }
            Assumptions.abort(message);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** The keys matching {@code pattern} (Redis glob), for tests that wait for state to be written. */
    public static java.util.List<String> keys(String pattern) {
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().keys(pattern);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Deletes every key under {@code prefix}. */
    public static void deleteKeys(String prefix) {
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            var keys = c.sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
