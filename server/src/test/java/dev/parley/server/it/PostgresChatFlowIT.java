package dev.parley.server.it;

import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The black-box chat suite on PostgreSQL (skipped when unreachable, except in CI). */
class PostgresChatFlowIT extends ChatFlowIT {
    @TempDir
    static Path data;
    static TestDatabases.PostgresSchema schema;

    @BeforeAll
    static void start() {
        schema = TestDatabases.freshPostgresSchema();
        use(TestServers.postgres(data, schema.url()));
    }

    @AfterAll
    static void dropSchema() {
        stop();
        if (schema != null) {
            schema.close();
        }
    }
}
