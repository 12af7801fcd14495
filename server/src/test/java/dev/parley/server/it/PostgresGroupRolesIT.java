package dev.parley.server.it;

import dev.parley.core.RateBudgets;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link GroupRolesIT} on PostgreSQL (skipped when unreachable, except in CI). */
class PostgresGroupRolesIT extends GroupRolesIT {
    static TestDatabases.PostgresSchema schema;

    @BeforeAll
    static void start() {
        schema = TestDatabases.freshPostgresSchema();
        ServerConfig base = ServerConfig.embedded(data, 0);
        use(ParleyServer.start(base.withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES,
                schema.url(), 4, base.store().maxBatch(), true)).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                .withBudgets(RateBudgets.off())));
    }

    @AfterAll
    static void dropSchema() {
        stop();
        if (schema != null) {
            schema.close();
        }
    }
}
