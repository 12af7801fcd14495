package dev.parley.web;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.config.SecurityConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Parley node in this JVM (SQLite under a temp dir, in-process bus) serving the web client
 * from the test classpath. It can be stopped and started again on the same port and data, which
 * is how the scenarios cut every browser's connection and bring it back.
 */
final class TestServer implements AutoCloseable {
    private final Path dataDir;
    private ServerConfig config;
    private ParleyServer server;

    TestServer() {
        this(c -> c);
    }

    /** A node whose configuration {@code tweak} adjusts (e.g. outbound hosts for a local push service). */
    TestServer(java.util.function.UnaryOperator<ServerConfig> tweak) {
        try {
            dataDir = Files.createTempDirectory("parley-web-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // No send rate limit (the history scenario sends many messages at once) and a cheap
        // password hash, so that signing up in every scenario stays fast.
        config = ServerConfig.embedded(dataDir, 0)
                .withSendRate(0)
                .withPassword(new ServerConfig.PasswordConfig(1024, 1))
                // Suites make many users from 127.0.0.1: no per-address sign-up limit here.
                .withSecurity(SecurityConfig.defaults().withSignUpsPerHourPerAddress(0));
        config = tweak.apply(config);
        server = ParleyServer.start(config);
        config = config.withPort(server.port());
    }

    String baseUrl() {
        return "http://127.0.0.1:" + config.port();
    }

    /** Where the server keeps every byte (SQLite file and WAL, media). */
    Path dataDir() {
        return dataDir;
    }

    int port() {
        return config.port();
    }

    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts again on the same port and data directory. */
    void restart() {
        stop();
        server = ParleyServer.start(config);
    }

    @Override
    public void close() {
        stop();
        Browser.deleteQuietly(dataDir);
    }
}
