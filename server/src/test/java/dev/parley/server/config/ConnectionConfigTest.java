package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

class ConnectionConfigTest {
    @TempDir
    Path dir;

    private ConnectionConfig load(String section, Map<String, String> env) throws Exception {
        Path file = Files.writeString(dir.resolve("parley.yml"), "connections:\n" + section.indent(2));
        return ConfigLoader.load(Optional.of(file), env, ConfigLoader.Overrides.none()).connections();
    }

    @Test
    void readsEveryKeyFromYamlAndTheEnvironmentWins() throws Exception {
        var c = load("""
                helloTimeoutMs: 5000
                pingIntervalMs: 1000
                pongTimeoutMs: 2000
                maxQueuedBytes: 1048576
                httpHeaderTimeoutMs: 3000
                httpBodyIdleTimeoutMs: 4000
                maxPerAddress: 7
                newPerSecond: 2.5
                newBurst: 9
                """, Map.of("PARLEY_CONNECTIONS_PING_INTERVAL_MS", "1500",
                "PARLEY_CONNECTIONS_MAX_PER_ADDRESS", "8"));
        assertThat(c).isEqualTo(new ConnectionConfig(5000, 1500, 2000, 3000, 4000, 1048576, 8, 2.5, 9));
    }

    @Test
    void defaultsWhenNothingIsSet() throws Exception {
        assertThat(load("", Map.of())).isEqualTo(ConnectionConfig.defaults());
        assertThat(ConnectionConfig.defaults().maxConnectionsPerAddress()).isEqualTo(512);
    }

    @Test
    void rateLimitsOffLiftsTheAddressCapAndRateButNotTimeouts() throws Exception {
        var c = load("", Map.of("PARLEY_RATE_LIMITS", "off"));
        assertThat(c.maxConnectionsPerAddress()).isZero();
        assertThat(c.newConnectionsPerSecond()).isZero();
        assertThat(c.pingIntervalMs()).isEqualTo(ConnectionConfig.defaults().pingIntervalMs());
        assertThat(c.httpHeaderTimeoutMs()).isEqualTo(ConnectionConfig.defaults().httpHeaderTimeoutMs());
    }

    @Test
    void eventLoopsFromYamlOrEitherEnvironmentNameAndTheDefaultWhenZero() throws Exception {
        assertThat(load("eventLoops: 3", Map.of()).eventLoopsToRun()).isEqualTo(3);
        assertThat(load("", Map.of("PARLEY_CONNECTIONS_EVENT_LOOPS", "5")).eventLoopsToRun()).isEqualTo(5);
        assertThat(load("", Map.of("PARLEY_EVENT_LOOPS", "1")).eventLoopsToRun()).isEqualTo(1);
        assertThat(load("", Map.of()).eventLoops()).isZero();
        assertThat(load("", Map.of()).eventLoopsToRun()).isEqualTo(ConnectionConfig.defaultEventLoops());
        assertThat(ConnectionConfig.defaultEventLoops()).as("one per core, at least two")
                .isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
        assertThatThrownBy(() -> load("", Map.of("PARLEY_EVENT_LOOPS", "-1"))).hasMessageContaining("eventLoops");
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> load("",
                Map.of("PARLEY_CONNECTIONS_PONG_TIMEOUT_MS", "0"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> load("",
                Map.of("PARLEY_CONNECTIONS_NEW_BURST", "0"))).hasMessageContaining("burst");
        assertThatThrownBy(() -> load("",
                Map.of("PARLEY_CONNECTIONS_MAX_PER_ADDRESS", "many"))).hasMessageContaining(
                "PARLEY_CONNECTIONS_MAX_PER_ADDRESS");
    }
}
