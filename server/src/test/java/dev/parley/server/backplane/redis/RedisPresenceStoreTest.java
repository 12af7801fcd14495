package dev.parley.server.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.contract.PresenceStoreContract;
import dev.parley.core.port.PresenceStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisPresenceStoreTest extends PresenceStoreContract {
    protected final String prefix = TestRedis.freshPrefix();
    private final List<RedisClients> backplanes = new ArrayList<>();

    @Override
    protected PresenceStore newStore() {
        return backplane(Duration.ofSeconds(30)).presence();
    }

    private RedisClients backplane(Duration ttl) {
        RedisClients b = new RedisClients(url(), prefix, false, cluster(), ttl, Clock.systemUTC());
        backplanes.add(b);
        return b;
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
        backplanes.forEach(RedisClients::close);
        deleteKeys();
    }

    @Test
    void aCrashedNodesUsersGoOfflineOnceTheirConnectionsExpireAndTheSweepSaysSo() {
        RedisPresenceStore crashed = backplane(Duration.ofSeconds(1)).presence();
        RedisPresenceStore alive = backplane(Duration.ofSeconds(1)).presence();
        String gone = user();
        String both = user();
        long t0 = System.currentTimeMillis();
        assertThat(crashed.connected(gone, "con_1")).isTrue();
        assertThat(crashed.connected(both, "con_2")).isTrue();
        assertThat(alive.connected(both, "con_3")).isFalse();

        // The crashed node stops heart-beating; the live one goes on. Sweep as of 5 s later.
        long later = t0 + 5_000;
        alive.heartbeat(later - 500);
        Map<String, Long> offline = new ConcurrentHashMap<>();
        int n = alive.sweep(later, 1_000, offline::put);

        assertThat(n).isEqualTo(1);
        assertThat(offline).containsOnlyKeys(gone);
        assertThat(offline.get(gone)).isBetween(t0 - 10, t0 + 1_000);
        assertThat(alive.lastSeenMs(gone)).isPresent();
        // Sweeping again finds nothing new.
        assertThat(alive.sweep(later + 1, 1, offline::put)).isZero();
    }

    @Test
    void heartbeatsPutConnectionsBackAfterRedisForgotThem() {
        RedisPresenceStore node = backplane(Duration.ofSeconds(30)).presence();
        String u = user();
        node.connected(u, "con_1");
        deleteKeys(); // as if Redis restarted empty
        assertThat(node.isOnline(u)).isFalse();
        node.heartbeat(System.currentTimeMillis());
        assertThat(node.isOnline(u)).isTrue();
    }
}
