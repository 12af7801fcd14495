package dev.parley.server.integration;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.IntegrationConfig;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import java.util.List;

/** Nodes with the integration turned on, for the integration suites. */
final class IntegrationServers {
    static final String ADMIN = "op-" + "0123456789abcdef0123456789abcdef";
    static final String JWT_SECRET = "host-jwt-secret-0123456789abcdef0123";

    private IntegrationServers() {
    }

    /** Admin token, JWT secret, fast webhook polling and retries, {@code allowed} host:port pairs. */
    static ServerConfig config(Path data, List<String> allowed) {
        return ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY)
                .withIntegration(IntegrationConfig.defaults().withAdminToken(ADMIN).withJwtSecret(JWT_SECRET)
                        .withWebhookTiming(50, 200, 3_600_000))
                .withOutbound(OutboundConfig.defaults().withAllowedHosts(allowed));
    }

    static ParleyServer sqlite(Path data, List<String> allowed) {
        return ParleyServer.start(config(data, allowed));
    }

    static ParleyServer postgres(Path data, String jdbcUrl, List<String> allowed) {
        ServerConfig base = config(data, allowed);
        return ParleyServer.start(base.withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES,
                jdbcUrl, 4, base.store().maxBatch(), true)));
    }
}
