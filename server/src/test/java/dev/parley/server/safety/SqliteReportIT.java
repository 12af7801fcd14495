package dev.parley.server.safety;

import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class SqliteReportIT extends ReportFlow {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = ParleyServer.start(config(data));
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
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
