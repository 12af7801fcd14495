package dev.parley.server.ratelimit;

import dev.parley.core.contract.RateLimiterContract;
import dev.parley.core.port.RateLimiter;
import dev.parley.server.bus.TestRedis;
import dev.parley.server.bus.redis.RedisBackplane;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

class RedisRateLimiterTest extends RateLimiterContract {
    protected final String prefix = TestRedis.freshPrefix();
    private final List<RedisBackplane> backplanes = new ArrayList<>();

    @Override
    protected RateLimiter newLimiter(Clock clock) {
        RedisBackplane b = new RedisBackplane(url(), prefix, false, cluster(), Duration.ofSeconds(30), clock);
        backplanes.add(b);
        return b.rateLimiter();
    }

    protected boolean cluster() {
        return false;
    }

    protected String url() {
        return TestRedis.url();
    }

    protected void deleteKeys() {
        TestRedis.deleteKeys(prefix);
    }

    @AfterEach
    void closeBackplanes() {
        backplanes.forEach(RedisBackplane::close);
        deleteKeys();
    }
}
