package dev.parley.server.safety;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The report suite on PostgreSQL (skipped when unreachable, except in CI). */
class PostgresReportIT extends ReportFlow {
    @TempDir
    static Path data;
    static TestDatabases.PostgresSchema schema;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        schema = TestDatabases.freshPostgresSchema();
        ServerConfig base = config(data);
        server = ParleyServer.start(base.withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES,
                schema.url(), 4, base.store().maxBatch(), true)));
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Override
    protected ParleyServer server() {
        return server;
    }

    @Override
    protected Api api() {
        return api;
    }
}
