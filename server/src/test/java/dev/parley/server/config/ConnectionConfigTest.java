package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void readsEveryKeyFromYamlAndTheEnvironmentWins() throws Exception {
        var section = YAML.readTree("""
                helloTimeoutMs: 5000
                pingIntervalMs: 1000
                pongTimeoutMs: 2000
                maxQueuedBytes: 1048576
                httpHeaderTimeoutMs: 3000
                httpBodyIdleTimeoutMs: 4000
                maxPerAddress: 7
                newPerSecond: 2.5
                newBurst: 9
                """);
        var c = ConnectionConfig.load(section, Map.of("PARLEY_CONNECTIONS_PING_INTERVAL_MS", "1500",
                "PARLEY_CONNECTIONS_MAX_PER_ADDRESS", "8"));
        assertThat(c).isEqualTo(new ConnectionConfig(5000, 1500, 2000, 3000, 4000, 1048576, 8, 2.5, 9));
    }

    @Test
    void defaultsWhenNothingIsSet() {
        assertThat(ConnectionConfig.load(YAML.missingNode(), Map.of())).isEqualTo(ConnectionConfig.defaults());
        assertThat(ConnectionConfig.defaults().maxConnectionsPerAddress()).isEqualTo(512);
    }

    @Test
    void rateLimitsOffLiftsTheAddressCapAndRateButNotTimeouts() {
        var c = ConnectionConfig.load(YAML.missingNode(), Map.of("PARLEY_RATE_LIMITS", "off"));
        assertThat(c.maxConnectionsPerAddress()).isZero();
        assertThat(c.newConnectionsPerSecond()).isZero();
        assertThat(c.pingIntervalMs()).isEqualTo(ConnectionConfig.defaults().pingIntervalMs());
        assertThat(c.httpHeaderTimeoutMs()).isEqualTo(ConnectionConfig.defaults().httpHeaderTimeoutMs());
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> ConnectionConfig.load(YAML.missingNode(),
                Map.of("PARLEY_CONNECTIONS_PONG_TIMEOUT_MS", "0"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectionConfig.load(YAML.missingNode(),
                Map.of("PARLEY_CONNECTIONS_NEW_BURST", "0"))).hasMessageContaining("burst");
        assertThatThrownBy(() -> ConnectionConfig.load(YAML.missingNode(),
                Map.of("PARLEY_CONNECTIONS_MAX_PER_ADDRESS", "many"))).hasMessageContaining(
                "PARLEY_CONNECTIONS_MAX_PER_ADDRESS");
    }
}
