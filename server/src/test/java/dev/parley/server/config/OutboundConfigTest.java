package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboundConfigTest {

    @Test
    void nothingIsAllowedByDefault() {
        var config = ConfigLoader.load(Optional.empty(), Map.of(), ConfigLoader.Overrides.none());
        assertThat(config.outbound().allowedHosts()).isEmpty();
        assertThat(config.outbound().connectTimeoutMs()).isEqualTo(5_000);
    }

    @Test
    void environmentWinsOverTheFileAndEntriesAreNormalized(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("parley.yml");
        Files.writeString(file, "outbound:\n  allowedHosts: [Hooks.Internal:443]\n  requestTimeout: 30s\n");
        var fromFile = ConfigLoader.load(Optional.of(file), Map.of(), ConfigLoader.Overrides.none());
        assertThat(fromFile.outbound().allowedHosts()).containsExactly("hooks.internal:443");
        assertThat(fromFile.outbound().requestTimeoutMs()).isEqualTo(30_000);
        var fromEnv = ConfigLoader.load(Optional.of(file),
                Map.of("PARLEY_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1:9999, [::1]:8443"), ConfigLoader.Overrides.none());
        assertThat(fromEnv.outbound().allowedHosts()).containsExactly("127.0.0.1:9999", "[::1]:8443");
    }
}
