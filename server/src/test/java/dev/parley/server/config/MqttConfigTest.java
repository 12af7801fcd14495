package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttConfigTest {

    @Test
    void mqttTcpIsOffUnlessAPortIsGiven() {
        var config = ConfigLoader.load(Optional.empty(), Map.of(), ConfigLoader.Overrides.none());
        assertThat(config.mqtt().tcp()).isFalse();
        assertThat(config.mqtt().webSocket()).isTrue();
    }

    @Test
    void optionWinsOverEnvironmentWhichWinsOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("parley.yml");
        Files.writeString(file, "mqtt:\n  port: 1883\n  maxInflight: 10\n  maxSessionExpiry: 2h\n");
        var fromFile = ConfigLoader.load(Optional.of(file), Map.of(), ConfigLoader.Overrides.none());
        assertThat(fromFile.mqtt().port()).isEqualTo(1883);
        assertThat(fromFile.mqtt().maxInflight()).isEqualTo(10);
        assertThat(fromFile.mqtt().maxSessionExpirySeconds()).isEqualTo(7200);
        var fromEnv = ConfigLoader.load(Optional.of(file), Map.of("PARLEY_MQTT_PORT", "11883"),
                ConfigLoader.Overrides.none());
        assertThat(fromEnv.mqtt().port()).isEqualTo(11883);
        var fromOption = ConfigLoader.load(Optional.of(file), Map.of("PARLEY_MQTT_PORT", "11883"),
                new ConfigLoader.Overrides(null, null, null, 21883));
        assertThat(fromOption.mqtt().port()).isEqualTo(21883);
    }

    @Test
    void aBadPortNamesTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_MQTT_PORT", "mqtt"),
                ConfigLoader.Overrides.none())).hasMessageContaining("PARLEY_MQTT_PORT");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_MQTT_PORT", "70000"),
                ConfigLoader.Overrides.none())).hasMessageContaining("mqtt");
    }

    @Test
    void theSampleFileListsTheMqttSettingsAtTheirDefaults() {
        var config = ConfigLoader.load(Optional.of(Path.of("..", "parley.sample.yml")), Map.of(),
                ConfigLoader.Overrides.none());
        assertThat(config.mqtt()).isEqualTo(MqttConfig.defaults());
    }
}
