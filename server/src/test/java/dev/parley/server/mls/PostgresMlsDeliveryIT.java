package dev.parley.server.mls;

import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The Delivery Service suite on a PostgreSQL node. */
class PostgresMlsDeliveryIT extends MlsDeliveryIT {
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
