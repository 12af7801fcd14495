package dev.parley.server.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.event.BusEvent;
import dev.parley.core.memory.InMemoryMessageStore;
import dev.parley.core.port.EventBus;
import dev.parley.server.backplane.Backplane;
import dev.parley.server.backplane.redis.RedisBackplane;
import dev.parley.server.backplane.redis.RedisPresenceStore;
import dev.parley.server.backplane.redis.RedisRateLimiter;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.ServerConfig;
import io.nats.client.Nats;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@code bus.type jetstream} wires: events through the NATS stream, presence and rate limits on Redis. */
class JetStreamBackplaneTest {
    private final String prefix = TestRedis.freshPrefix();
    private Backplane a;
    private Backplane b;

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        TestRedis.deleteKeys(prefix);
    }

    @Test
    void eventsCrossNodesThroughTheStreamWhilePresenceAndRateLimitsStayOnRedis() throws Exception {
        String nats = PrivateNats.shared().url();
        var config = new ServerConfig.BusConfig(ServerConfig.BusConfig.JETSTREAM, TestRedis.url(), prefix, false,
                false, 30_000, nats, 120_000);
        a = Backplane.open(config, new InMemoryMessageStore(), Clock.systemUTC());
        b = Backplane.open(config, new InMemoryMessageStore(), Clock.systemUTC());
        assertThat(a).isInstanceOf(RedisBackplane.class);
        assertThat(a.presence()).isInstanceOf(RedisPresenceStore.class);
        assertThat(a.rateLimiter()).isInstanceOf(RedisRateLimiter.class);

        List<BusEvent> got = new CopyOnWriteArrayList<>();
        b.bus().subscribe(EventBus.userTopic("usr_1"), got::add);
        BusEvent e = new BusEvent.DeviceRevoked("usr_1", "dev_1");
        a.bus().publish(EventBus.userTopic("usr_1"), e);
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
        assertThat(got).containsExactly(e);

        String stream = prefix.replaceAll("[^A-Za-z0-9_-]", "").toUpperCase(java.util.Locale.ROOT) + "_EVENTS";
        try (var c = Nats.connect(nats)) {
            long stored = c.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
            assertThat(stored).as("the event is in the stream").isGreaterThanOrEqualTo(1);
        }
    }
}
