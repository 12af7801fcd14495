package dev.parley.server.mls;

import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The Delivery Service suite on an embedded (SQLite) node. */
class SqliteMlsDeliveryIT extends MlsDeliveryIT {
    @TempDir
    static Path data;

    @BeforeAll
    static void start() {
        use(TestServers.sqlite(data));
    }
}
