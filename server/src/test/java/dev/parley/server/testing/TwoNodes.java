package dev.parley.server.testing;

import dev.parley.server.ParleyServer;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import java.nio.file.Path;

/**
 * Two in-process nodes of one cluster: a fresh PostgreSQL schema and a fresh key prefix on the test Redis (the
 * bus), no send rate limit, fast passwords. Skips without PostgreSQL or Redis (fails under {@code CI=true}).
 * {@link #close} stops both and leaves nothing behind.
 */
public final class TwoNodes implements AutoCloseable {
    private final String prefix;
    private final TestDatabases.PostgresSchema schema;
    private ParleyServer a;
    private ParleyServer b;

    private TwoNodes(String prefix, TestDatabases.PostgresSchema schema) {
        this.prefix = prefix;
        this.schema = schema;
    }

    /** Starts both nodes with their data under {@code data}. */
    public static TwoNodes start(Path data) {
        TwoNodes nodes = new TwoNodes(TestRedis.freshPrefix(), TestDatabases.freshPostgresSchema());
        try {
            ServerConfig base = ServerConfig.embedded(data, 0)
                    .withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, nodes.schema.url(), 4,
                            256, true))
                    .withBus(new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, TestRedis.url(), nodes.prefix,
                            false, false, 30_000))
                    .withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                    .withSecurity(TestServers.LENIENT_SECURITY);
            nodes.a = ParleyServer.start(base);
            nodes.b = ParleyServer.start(base);
            return nodes;
        } catch (RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    public ParleyServer a() {
        return a;
    }

    public ParleyServer b() {
        return b;
    }

    @Override
    public void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        schema.close();
        TestRedis.deleteKeys(prefix);
    }
}
