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
    private final String prefix = TestRedis.freshPrefix();
    private final List<RedisBackplane> backplanes = new ArrayList<>();

    @Override
    protected RateLimiter newLimiter(Clock clock) {
        RedisBackplane b = new RedisBackplane(TestRedis.url(), prefix, false, Duration.ofSeconds(30), clock);
        backplanes.add(b);
        return b.rateLimiter();
    }

    @AfterEach
    void closeBackplanes() {
        backplanes.forEach(RedisBackplane::close);
        TestRedis.deleteKeys(prefix);
    }
}
