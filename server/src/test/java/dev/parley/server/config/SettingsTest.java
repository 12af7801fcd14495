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
        assertThat(Settings.parseDurationMs("30d")).isEqualTo(30L * 86_400_000);
        assertThat(Settings.parseDurationMs("12h")).isEqualTo(43_200_000);
        assertThat(Settings.parseDurationMs("90s")).isEqualTo(90_000);
        assertThat(Settings.parseDurationMs("250")).isEqualTo(250);
        assertThat(Settings.parseDurationMs("1.5m")).isEqualTo(90_000);
        assertThat(Settings.parseDurationMs("PT2H")).isEqualTo(7_200_000);
        assertThatThrownBy(() -> Settings.parseDurationMs("soon")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.parseDurationMs("5 weeks")).isInstanceOf(IllegalArgumentException.class);
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
}
