package dev.parley.server.backplane.redis;

import dev.parley.core.contract.EventBusContract;
import dev.parley.core.port.EventBus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The Redis bus against the contract, each test with its own channel prefix; two backplanes act as two nodes. */
class RedisEventBusTest extends EventBusContract {
    private final String prefix = TestRedis.freshPrefix();
    private final List<RedisClients> backplanes = new ArrayList<>();

    protected boolean sharded() {
        return false;
    }

    protected boolean cluster() {
        return false;
    }

    protected String url() {
        return TestRedis.url();
    }

    @Override
    protected EventBus newBus() {
        RedisClients b = new RedisClients(url(), prefix, sharded(), cluster(), Duration.ofSeconds(30),
                Clock.systemUTC());
        backplanes.add(b);
        return b.bus();
    }

    @AfterEach
    void closeBackplanes() {
        backplanes.forEach(RedisClients::close);
    }
}
