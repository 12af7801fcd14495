package dev.parley.server.it;

import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The black-box chat suite on the embedded default: SQLite. */
class SqliteChatFlowIT extends ChatFlowIT {
    @TempDir
    static Path data;

    @BeforeAll
    static void start() {
        use(TestServers.sqlite(data));
    }
}
