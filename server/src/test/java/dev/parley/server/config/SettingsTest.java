package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void durationsTakeAUnitOrIso8601() {
        assertThat(Durations.parseMs("30d")).isEqualTo(30L * 86_400_000);
        assertThat(Durations.parseMs("12h")).isEqualTo(43_200_000);
        assertThat(Durations.parseMs("90s")).isEqualTo(90_000);
        assertThat(Durations.parseMs("250")).isEqualTo(250);
        assertThat(Durations.parseMs("1.5m")).isEqualTo(90_000);
        assertThat(Durations.parseMs("PT2H")).isEqualTo(7_200_000);
        assertThatThrownBy(() -> Durations.parseMs("soon")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parseMs("5 weeks")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void environmentWinsAndNamesTheVariableWhenWrong() {
        var config = ConfigLoader.load(Optional.empty(), Map.of("PARLEY_SESSION_TTL", "2h",
                "PARLEY_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"), ConfigLoader.Overrides.none());
        assertThat(config.security().sessionTtlMs()).isEqualTo(7_200_000);
        assertThat(config.security().trustedProxies()).containsExactly("10.0.0.0/8", "127.0.0.1");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_SESSION_TTL", "forever"),
                ConfigLoader.Overrides.none())).hasMessageContaining("PARLEY_SESSION_TTL");
    }

    @Test
    void rateLimitsOffLiftsSendRateBudgetsAndAddressCaps() {
        var config = ConfigLoader.load(Optional.empty(), Map.of("PARLEY_RATE_LIMITS", "off"),
                ConfigLoader.Overrides.none());
        assertThat(config.limits().sendPerSecond()).isZero();
        assertThat(config.budgets().enabled()).isFalse();
        assertThat(config.connections().maxConnectionsPerAddress()).isZero();
        var on = ConfigLoader.load(Optional.empty(), Map.of(), ConfigLoader.Overrides.none());
        assertThat(on.budgets().enabled()).isTrue();
        assertThat(on.connections().maxConnectionsPerAddress()).isPositive();
        assertThat(on.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
    }

    @Test
    void accountAndSessionSettingsLoadFromTheEnvironmentAndRateLimitsOffLiftsTheThrottles() {
        var config = ConfigLoader.load(Optional.empty(), Map.of("PARLEY_PROXY_PROTOCOL", "true",
                "PARLEY_HASH_CONCURRENCY", "3", "PARLEY_HASH_QUEUE", "7", "PARLEY_SIGNUPS_PER_HOUR", "5",
                "PARLEY_SESSION_AUDIT_INTERVAL", "30s"), ConfigLoader.Overrides.none());
        var s = config.security();
        assertThat(s.proxyProtocol()).isTrue();
        assertThat(s.hashConcurrency()).isEqualTo(3);
        assertThat(s.hashQueue()).isEqualTo(7);
        assertThat(s.signUpsPerHourPerAddress()).isEqualTo(5);
        assertThat(s.sessionAuditIntervalMs()).isEqualTo(30_000);
        assertThat(s.throttleSignIns()).isTrue();

        var defaults = ConfigLoader.load(Optional.empty(), Map.of(), ConfigLoader.Overrides.none()).security();
        assertThat(defaults.signUpsPerHourPerAddress()).isPositive();
        assertThat(defaults.proxyProtocol()).isFalse();
        assertThat(defaults.hashConcurrency()).isEqualTo(Runtime.getRuntime().availableProcessors());

        var off = ConfigLoader.load(Optional.empty(), Map.of("PARLEY_RATE_LIMITS", "off"),
                ConfigLoader.Overrides.none()).security();
        assertThat(off.signUpsPerHourPerAddress()).isZero();
        assertThat(off.throttleSignIns()).isFalse();
        assertThat(off.hashConcurrency()).as("a memory bound, not a rate limit").isEqualTo(defaults.hashConcurrency());

        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_TRUSTED_PROXIES", "lb.example"),
                ConfigLoader.Overrides.none())).hasMessageContaining("lb.example");
    }

    @Test
    void theSampleConfigLoadsWithTheShippedSecurityDefaults() {
        Path sample = Path.of("..", "parley.sample.yml");
        var security = ConfigLoader.load(Optional.of(sample), Map.of(), ConfigLoader.Overrides.none()).security();
        var d = SecurityConfig.defaults();
        assertThat(security.trustedProxies()).isEmpty();
        assertThat(security.sessionTtlMs()).isEqualTo(d.sessionTtlMs());
        assertThat(security.sessionAuditIntervalMs()).isEqualTo(d.sessionAuditIntervalMs());
        assertThat(security.hashQueue()).isEqualTo(d.hashQueue());
        assertThat(security.signUpsPerHourPerAddress()).isEqualTo(d.signUpsPerHourPerAddress());
    }
}
