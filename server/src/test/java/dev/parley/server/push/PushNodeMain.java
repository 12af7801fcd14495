package dev.parley.server.push;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import java.util.List;

/**
 * A node in a process of its own, for tests that kill it: {@code PushNodeMain <dataDir> <allowedHost>
 * <coalesceMs>}. Prints {@code PORT <n>} once listening, then runs until killed.
 */
public final class PushNodeMain {
    private PushNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        ParleyServer server = ParleyServer.start(ServerConfig.embedded(Path.of(args[0]), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                .withOutbound(OutboundConfig.defaults().withAllowedHosts(List.of(args[1])))
                .withPush(PushConfig.defaults().withCoalesceMs(Long.parseLong(args[2]))));
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
