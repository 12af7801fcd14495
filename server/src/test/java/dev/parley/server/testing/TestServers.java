package dev.parley.server.testing;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.SecurityConfig;
import dev.parley.server.config.ServerConfig;
import java.nio.file.Path;

/** Starts real in-process nodes for black-box tests: real sockets, real SQLite or PostgreSQL. */
public final class TestServers {
    private TestServers() {
    }

    /** Cheap password hashing keeps suites fast; the real Argon2 cost has its own test. */
    public static final ServerConfig.PasswordConfig FAST_PASSWORDS = new ServerConfig.PasswordConfig(64, 1);

    /**
     * Suites make many users from 127.0.0.1: no per-address sign-up limit (it has its own tests). Sign-in
     * throttling stays on.
     */
    public static final SecurityConfig LENIENT_SECURITY = SecurityConfig.defaults().withSignUpsPerHourPerAddress(0);

    /** An embedded (SQLite) node on a free port with no send rate limit. */
    public static ParleyServer sqlite(Path dataDir) {
        return ParleyServer.start(ServerConfig.embedded(dataDir, 0).withSendRate(0).withPassword(FAST_PASSWORDS)
                .withSecurity(LENIENT_SECURITY));
    }

    /** A node on PostgreSQL at {@code jdbcUrl} on a free port with no send rate limit. */
    public static ParleyServer postgres(Path dataDir, String jdbcUrl) {
        ServerConfig base = ServerConfig.embedded(dataDir, 0);
        return ParleyServer.start(base.withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES,
                jdbcUrl, 4, base.store().maxBatch(), true)).withSendRate(0).withPassword(FAST_PASSWORDS)
                .withSecurity(LENIENT_SECURITY));
    }
}
