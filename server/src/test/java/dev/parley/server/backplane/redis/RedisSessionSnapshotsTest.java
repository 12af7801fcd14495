package dev.parley.server.backplane.redis;

import dev.parley.server.backplane.SessionSnapshots;
import dev.parley.server.backplane.SessionSnapshotsContract;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The session-snapshot contract on a real Redis; two clients stand for two nodes. */
class RedisSessionSnapshotsTest extends SessionSnapshotsContract {
    protected final String prefix = TestRedis.freshPrefix();
    private final List<RedisClients> clients = new ArrayList<>();

    @Override
    protected SessionSnapshots newSnapshots() {
        RedisClients c = new RedisClients(url(), prefix, false, cluster(), Duration.ofSeconds(30),
                Clock.systemUTC());
        clients.add(c);
        return c.sessions();
    }

    @Override
    protected void letPass(Duration d) throws InterruptedException {
        // Redis expires keys by its own clock; wall time has to pass.
        Thread.sleep(d.toMillis());
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
    void closeClients() {
        clients.forEach(RedisClients::close);
        deleteKeys();
    }
}
