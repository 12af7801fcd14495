package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushConfigTest {

    @Test
    void webPushIsOnWithPreviewsAndMobileServicesAreOffByDefault() {
        var push = ConfigLoader.load(Optional.empty(), Map.of(), ConfigLoader.Overrides.none()).push();
        assertThat(push.enabled()).isTrue();
        assertThat(push.preview()).isTrue();
        assertThat(push.coalesceMs()).isEqualTo(1000);
        assertThat(push.fcm()).isNull();
        assertThat(push.apns()).isNull();
    }

    @Test
    void theFileIsReadAndTheEnvironmentWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("parley.yml");
        Files.writeString(file, """
                push:
                  preview: false
                  coalesceMs: 2s
                  vapidSubject: https://chat.example.com/contact
                  fcm: {credentialsFile: /etc/fcm.json}
                  apns: {keyFile: /etc/key.p8, keyId: K1, teamId: T1, topic: com.example.chat}
                """);
        var fromFile = ConfigLoader.load(Optional.of(file), Map.of(), ConfigLoader.Overrides.none()).push();
        assertThat(fromFile.preview()).isFalse();
        assertThat(fromFile.coalesceMs()).isEqualTo(2000);
        assertThat(fromFile.vapidSubject()).isEqualTo("https://chat.example.com/contact");
        assertThat(fromFile.fcm().credentialsFile()).isEqualTo(Path.of("/etc/fcm.json"));
        assertThat(fromFile.apns().url()).isEqualTo("https://api.push.apple.com");
        assertThat(fromFile.apns().topic()).isEqualTo("com.example.chat");

        var fromEnv = ConfigLoader.load(Optional.of(file), Map.of("PARLEY_PUSH_PREVIEW", "true",
                "PARLEY_FCM_URL", "https://fcm.example/v1/projects/p/messages:send",
                "PARLEY_APNS_URL", "https://api.sandbox.push.apple.com", "PARLEY_PUSH_COALESCE_MS", "500"),
                ConfigLoader.Overrides.none()).push();
        assertThat(fromEnv.preview()).isTrue();
        assertThat(fromEnv.coalesceMs()).isEqualTo(500);
        assertThat(fromEnv.fcm().url()).isEqualTo("https://fcm.example/v1/projects/p/messages:send");
        assertThat(fromEnv.apns().url()).isEqualTo("https://api.sandbox.push.apple.com");
    }

    @Test
    void badValuesFailAtStartNamingTheSetting() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_PUSH_COALESCE_MS", "5s"),
                ConfigLoader.Overrides.none())).hasMessageContaining("coalesceMs");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_VAPID_SUBJECT", "admin"),
                ConfigLoader.Overrides.none())).hasMessageContaining("vapidSubject");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_APNS_KEY_FILE", "/k.p8"),
                ConfigLoader.Overrides.none())).hasMessageContaining("keyId");
    }
}
