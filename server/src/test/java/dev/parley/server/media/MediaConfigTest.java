package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ConfigLoader;
import dev.parley.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreALocalFolderUnderTheDataDir() {
        ServerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), ConfigLoader.Overrides.none());

        assertThat(config.media().type()).isEqualTo("fs");
        assertThat(config.media().dirUnder(Path.of("/srv/parley"))).isEqualTo(Path.of("/srv/parley/media"));
        assertThat(config.media().maxUploadBytes()).isEqualTo(100L * 1024 * 1024);
    }

    @Test
    void yamlSectionAndEnvironmentAreRead() throws Exception {
        Path file = Files.writeString(dir.resolve("parley.yml"), """
                media:
                  maxUploadBytes: 5000000
                  linkTtlSeconds: 120
                  imageMaxEdge: 1600
                  s3:
                    bucket: from-yaml
                    endpoint: https://r2.example.com
                """);
        Map<String, String> env = Map.of("PARLEY_MEDIA_S3_BUCKET", "from-env", "PARLEY_MEDIA_S3_ACCESS_KEY", "AK",
                "PARLEY_MEDIA_S3_SECRET_KEY", "SK-secret");

        ServerConfig config = ConfigLoader.load(Optional.of(file), env, ConfigLoader.Overrides.none());

        MediaConfig m = config.media();
        assertThat(m.type()).isEqualTo("s3");
        assertThat(m.s3().bucket()).isEqualTo("from-env");
        assertThat(m.s3().endpoint()).isEqualTo("https://r2.example.com");
        assertThat(m.s3().accessKey()).isEqualTo("AK");
        assertThat(m.maxUploadBytes()).isEqualTo(5_000_000);
        assertThat(m.linkTtl()).isEqualTo(Duration.ofSeconds(120));
        assertThat(m.imageMaxEdge()).isEqualTo(1600);
        assertThat(config.toString()).doesNotContain("SK-secret");
    }

    private MediaConfig media(String section, Map<String, String> env) throws Exception {
        Path file = Files.writeString(dir.resolve("media.yml"), "media:\n" + section.indent(2));
        return ConfigLoader.load(Optional.of(file), env, ConfigLoader.Overrides.none()).media();
    }

    @Test
    void s3WithoutABucketIsRefused() throws Exception {
        assertThatThrownBy(() -> media("type: s3", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucket");
    }

    @Test
    void s3CredentialsInTheFileAreRefusedNamingTheVariableToUse() {
        assertThatThrownBy(() -> media("s3:\n  bucket: b\n  secretKey: oops\n", Map.of()))
                .hasMessageContaining("PARLEY_MEDIA_S3_SECRET_KEY").hasMessageNotContaining("oops");
    }

    @Test
    void hardeningLimitsHaveDefaultsAndAreReadFromYamlThenEnvironment() throws Exception {
        MediaConfig d = MediaConfig.defaults();
        assertThat(d.budgets().quotaBytesPerUser()).isEqualTo(1024L * 1024 * 1024);
        assertThat(d.orphanGrace()).isEqualTo(Duration.ofHours(24));
        assertThat(d.toolMemoryBytes()).isEqualTo(1024L * 1024 * 1024);

        MediaConfig m = media("""
                quotaBytesPerUser: 5000000
                uploadsPerSecond: 0.5
                uploadBurst: 4
                addressUploadsPerSecond: 2
                addressUploadBurst: 8
                orphanGrace: 2h
                sweepInterval: 30s
                gifMaxFramePixels: 1000000
                tools:
                  memoryBytes: 300000000
                  timeoutSeconds: 5
                """, Map.of("PARLEY_MEDIA_UPLOAD_BURST", "6", "PARLEY_MEDIA_ORPHAN_GRACE", "90m",
                "PARLEY_MEDIA_TOOL_MEMORY_BYTES", "400000000"));

        assertThat(m.budgets()).isEqualTo(new MediaConfig.UploadBudgets(5_000_000, 0.5, 6, 2, 8));
        assertThat(m.orphanGrace()).isEqualTo(Duration.ofMinutes(90));
        assertThat(m.sweepInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(m.gifMaxFramePixels()).isEqualTo(1_000_000);
        assertThat(m.toolMemoryBytes()).isEqualTo(400_000_000);
        assertThat(m.toolTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(media("uploadBurst: 4", Map.of("PARLEY_RATE_LIMITS", "off"))
                .budgets().perUserPerSecond()).isZero();
    }
}
