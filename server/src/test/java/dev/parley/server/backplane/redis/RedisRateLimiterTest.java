package dev.parley.server.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.contract.RateLimiterContract;
import dev.parley.core.port.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisRateLimiterTest extends RateLimiterContract {
    protected final String prefix = TestRedis.freshPrefix();
    private final List<RedisClients> backplanes = new ArrayList<>();

    @Override
    protected RateLimiter newLimiter(Clock clock) {
        RedisClients b = new RedisClients(url(), prefix, false, cluster(), Duration.ofSeconds(30), clock);
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

    @Test
    void withRedisGoneSendsAreLetThroughButFailClosedCallersAreRefused() {
        RedisClients gone = new RedisClients(url(), prefix, false, cluster(), Duration.ofSeconds(30), clock);
        RateLimiter unreachable = gone.rateLimiter();
        gone.close();
        String k = key();
        for (int i = 0; i < 5; i++) {
            assertThat(unreachable.tryAcquire(k, 1, 1)).as("fails open").isZero();
        }
        assertThatThrownBy(() -> unreachable.tryAcquireOrFail(k, 1, 1)).isInstanceOf(RateLimiter.Unavailable.class);
        unreachable.refund(k, 1, 1); // a refund that cannot be made is dropped, not thrown
    }

    @AfterEach
    void closeBackplanes() {
        backplanes.forEach(RedisClients::close);
        deleteKeys();
    }
}
