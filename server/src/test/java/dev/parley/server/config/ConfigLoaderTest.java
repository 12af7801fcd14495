package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.core.RateBudgets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One way to configure: defaults, then the YAML file, then the environment, then options, bound by Jackson. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("parley.yml"), yaml);
    }

    private static ServerConfig load(Optional<Path> file, Map<String, String> env) {
        return ConfigLoader.load(file, env, ConfigLoader.Overrides.none());
    }

    @Test
    void theFileBeatsDefaultsTheEnvironmentBeatsTheFileAndOptionsBeatBoth() throws Exception {
        Path f = file("server:\n  port: 9000\n  nodeId: from-file\nlimits:\n  maxMembers: 40\n");
        assertThat(load(Optional.of(f), Map.of()).port()).isEqualTo(9000);
        var fromEnv = load(Optional.of(f), Map.of("PARLEY_PORT", "9100", "PARLEY_LIMITS_MAX_MEMBERS", "41"));
        assertThat(fromEnv.port()).isEqualTo(9100);
        assertThat(fromEnv.limits().maxMembers()).isEqualTo(41);
        assertThat(fromEnv.nodeId()).isEqualTo("from-file");
        // The scheme's own name wins over the earlier short one.
        assertThat(load(Optional.of(f), Map.of("PARLEY_PORT", "9100", "PARLEY_SERVER_PORT", "9101")).port())
                .isEqualTo(9101);
        var fromOption = ConfigLoader.load(Optional.of(f), Map.of("PARLEY_PORT", "9100"),
                new ConfigLoader.Overrides(9200, dir.resolve("d"), "127.0.0.1"));
        assertThat(fromOption.port()).isEqualTo(9200);
        assertThat(fromOption.host()).isEqualTo("127.0.0.1");
        assertThat(fromOption.dataDir()).isEqualTo(dir.resolve("d").toAbsolutePath());
    }

    @Test
    void everySectionIsReachableFromTheEnvironmentByOneScheme() {
        var c = load(Optional.empty(), Map.ofEntries(
                Map.entry("PARLEY_BUS_TYPE", "redis"),
                Map.entry("PARLEY_BUS_URL", "redis://127.0.0.1:6379"),
                Map.entry("PARLEY_BUS_PRESENCE_TTL_MS", "5000"),
                Map.entry("PARLEY_STORE_URL", "jdbc:postgresql://127.0.0.1/db"),
                Map.entry("PARLEY_STORE_POOL_SIZE", "9"),
                Map.entry("PARLEY_STORE_FSYNC", "off"),
                Map.entry("PARLEY_PASSWORD_ITERATIONS", "3"),
                Map.entry("PARLEY_MQTT_MAX_SESSION_EXPIRY", "2h"),
                Map.entry("PARLEY_SECURITY_SESSION_TTL", "2h"),
                Map.entry("PARLEY_SECURITY_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
                Map.entry("PARLEY_CONNECTIONS_MAX_PER_ADDRESS", "7"),
                Map.entry("PARLEY_BUDGETS_READS_PER_ADDRESS_BURST", "77"),
                Map.entry("PARLEY_MEDIA_TOOLS_FFMPEG", "none"),
                Map.entry("PARLEY_METRICS_ENABLED", "false"),
                Map.entry("PARLEY_SERVER_ALLOWED_ORIGINS", "https://a.example, https://b.example")));
        assertThat(c.bus()).isEqualTo(new ServerConfig.BusConfig("redis", "redis://127.0.0.1:6379", "parley:", false,
                false, 5000));
        assertThat(c.store().type()).as("a PostgreSQL URL alone picks the engine").isEqualTo("postgres");
        assertThat(c.store().poolSize()).isEqualTo(9);
        assertThat(c.store().fsync()).isFalse();
        assertThat(c.password().iterations()).isEqualTo(3);
        assertThat(c.mqtt().maxSessionExpirySeconds()).isEqualTo(7200);
        assertThat(c.security().sessionTtlMs()).isEqualTo(7_200_000);
        assertThat(c.security().trustedProxies()).containsExactly("10.0.0.0/8", "127.0.0.1");
        assertThat(c.connections().maxConnectionsPerAddress()).isEqualTo(7);
        assertThat(c.budgets().readsPerAddress()).isEqualTo(new RateBudgets.Budget(
                RateBudgets.defaults().readsPerAddress().perSecond(), 77));
        assertThat(c.media().ffmpeg()).isEqualTo("none");
        assertThat(c.metrics().enabled()).isFalse();
        assertThat(c.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    }

    @Test
    void theDocumentedNamesKeepWorkingExactly() {
        var c = load(Optional.empty(), Map.ofEntries(
                Map.entry("PARLEY_PORT", "8123"),
                Map.entry("PARLEY_HOST", "127.0.0.1"),
                Map.entry("PARLEY_DATA", dir.resolve("data").toString()),
                Map.entry("PARLEY_NODE_ID", "n7"),
                Map.entry("PARLEY_REDIS_URL", "redis://127.0.0.1:6379"),
                Map.entry("PARLEY_REDIS_PREFIX", "p7:"),
                Map.entry("PARLEY_REDIS_SHARDED", "true"),
                Map.entry("PARLEY_STORE_URL", "jdbc:postgresql://127.0.0.1/db"),
                Map.entry("PARLEY_STORE_PARTITIONS", "4"),
                Map.entry("PARLEY_SEND_RATE", "3.5"),
                Map.entry("PARLEY_MAX_FRAME_BYTES", "4096"),
                Map.entry("PARLEY_ALLOWED_ORIGINS", "https://chat.example"),
                Map.entry("PARLEY_MQTT_PORT", "1884"),
                Map.entry("PARLEY_TRUSTED_PROXIES", "10.0.0.1"),
                Map.entry("PARLEY_SESSION_TTL", "12h"),
                Map.entry("PARLEY_SESSION_AUDIT_INTERVAL", "30s"),
                Map.entry("PARLEY_PROXY_PROTOCOL", "yes"),
                Map.entry("PARLEY_HASH_QUEUE", "5"),
                Map.entry("PARLEY_SIGNUPS_PER_HOUR", "2"),
                Map.entry("PARLEY_METRICS_TOKEN", "t0ken"),
                Map.entry("PARLEY_METRICS", "off"),
                Map.entry("PARLEY_MEDIA_MAX_BYTES", "5000"),
                Map.entry("PARLEY_MEDIA_QUOTA_BYTES", "6000"),
                Map.entry("PARLEY_MEDIA_TOOL_TIMEOUT_SECONDS", "9")));
        assertThat(c.port()).isEqualTo(8123);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data").toAbsolutePath());
        assertThat(c.nodeId()).isEqualTo("n7");
        assertThat(c.bus().type()).isEqualTo("redis");
        assertThat(c.bus().prefix()).isEqualTo("p7:");
        assertThat(c.bus().sharded()).isTrue();
        assertThat(c.store().type()).isEqualTo("postgres");
        assertThat(c.store().partitions()).isEqualTo(4);
        assertThat(c.limits().sendPerSecond()).isEqualTo(3.5);
        assertThat(c.maxFrameBytes()).isEqualTo(4096);
        assertThat(c.allowedOrigins()).containsExactly("https://chat.example");
        assertThat(c.mqtt().port()).isEqualTo(1884);
        assertThat(c.security().trustedProxies()).containsExactly("10.0.0.1");
        assertThat(c.security().sessionTtlMs()).isEqualTo(12 * 3_600_000L);
        assertThat(c.security().sessionAuditIntervalMs()).isEqualTo(30_000);
        assertThat(c.security().proxyProtocol()).isTrue();
        assertThat(c.security().hashQueue()).isEqualTo(5);
        assertThat(c.security().signUpsPerHourPerAddress()).isEqualTo(2);
        assertThat(c.metrics()).isEqualTo(new MetricsConfig(false, "t0ken"));
        assertThat(c.media().maxUploadBytes()).isEqualTo(5000);
        assertThat(c.media().budgets().quotaBytesPerUser()).isEqualTo(6000);
        assertThat(c.media().toolTimeout()).hasSeconds(9);

        String token = "a".repeat(40);
        var integration = load(Optional.empty(), Map.of("PARLEY_ADMIN_TOKEN", token, "PARLEY_JWT_SECRET", token,
                "PARLEY_WEBHOOK_POLL", "250ms", "PARLEY_WEBHOOK_RETRY_FOR", "2h", "PARLEY_WEBHOOK_CONCURRENCY", "3",
                "PARLEY_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1:9999", "PARLEY_OUTBOUND_CONNECT_TIMEOUT", "2s"));
        assertThat(integration.integration().adminToken()).isEqualTo(token);
        assertThat(integration.integration().jwtSecret()).isEqualTo(token);
        assertThat(integration.integration().webhookPollMs()).isEqualTo(250);
        assertThat(integration.integration().webhookRetryForMs()).isEqualTo(2 * 3_600_000L);
        assertThat(integration.integration().webhookConcurrency()).isEqualTo(3);
        assertThat(integration.outbound().allowedHosts()).containsExactly("127.0.0.1:9999");
        assertThat(integration.outbound().connectTimeoutMs()).isEqualTo(2_000);
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_ADMIN_TOKEN", "short-secret")))
                .hasMessageContaining("PARLEY_ADMIN_TOKEN").hasMessageNotContaining("short-secret");

        var off = load(Optional.empty(), Map.of("PARLEY_RATE_LIMITS", "off"));
        assertThat(off.limits().sendPerSecond()).isZero();
        assertThat(off.connections().maxConnectionsPerAddress()).isZero();
        assertThat(off.budgets().enabled()).isFalse();
        assertThat(off.security().throttleSignIns()).isFalse();
        assertThat(off.media().budgets().perUserPerSecond()).isZero();
    }

    @Test
    void theDynamoDbSettingsBindFromTheFileAndTheEnvironment() throws Exception {
        Path f = file("store:\n  type: dynamodb\n  dynamodb:\n    tablePrefix: staging_\n");
        var c = load(Optional.of(f), Map.of("PARLEY_STORE_DYNAMODB_ENDPOINT", "http://127.0.0.1:4567",
                "PARLEY_STORE_DYNAMODB_REGION", "eu-west-1"));
        assertThat(c.store().type()).isEqualTo("dynamodb");
        assertThat(c.store().dynamodb()).isEqualTo(
                new ServerConfig.DynamoDbConfig("http://127.0.0.1:4567", "eu-west-1", "staging_"));
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_STORE_DYNAMODB_ENDPOINT", "localhost:1")))
                .hasMessageContaining("store.dynamodb.endpoint must be an http(s) URL");
    }

    @Test
    void aNatsUrlPicksTheStreamBusWhichStillNeedsRedisForPresence() {
        var c = load(Optional.empty(), Map.of("PARLEY_NATS_URL", "nats://127.0.0.1:4222", "PARLEY_REDIS_URL",
                "redis://127.0.0.1:6379", "PARLEY_BUS_STREAM_RETENTION_MS", "120000"));
        assertThat(c.bus().type()).isEqualTo(ServerConfig.BusConfig.JETSTREAM);
        assertThat(c.bus().streamUrl()).isEqualTo("nats://127.0.0.1:4222");
        assertThat(c.bus().streamRetentionMs()).isEqualTo(120_000);
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_NATS_URL", "nats://127.0.0.1:4222")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bus.url")
                .hasMessageContaining("presence");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_BUS_TYPE", "jetstream", "PARLEY_REDIS_URL",
                "redis://127.0.0.1:6379"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bus.streamUrl");
    }

    @Test
    void everyShortNameNamesAKeyThatExists() {
        JsonNode defaults = new ObjectMapper().valueToTree(ConfigFile.defaults());
        List<String> keys = EnvOverlay.leaves(defaults, "");
        assertThat(keys).containsAll(EnvOverlay.SHORT_NAMES.values());
        assertThat(keys).contains("bus.type", "store.url", "media.s3.bucket", "budgets.readsPerAddress.burst",
                "mqtt.maxSessionExpiry", "security.sessionTtl");
        assertThat(EnvOverlay.nameOf("budgets.readsPerAddress.burst"))
                .isEqualTo("PARLEY_BUDGETS_READS_PER_ADDRESS_BURST");
        assertThat(EnvOverlay.nameOf("media.s3.bucket")).isEqualTo("PARLEY_MEDIA_S3_BUCKET");
    }

    @Test
    void anUnknownKeyInTheFileIsAStartupErrorNamingIt() throws Exception {
        assertThatThrownBy(() -> load(Optional.of(file("bus:\n  tpye: redis\n")), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown config key 'bus.tpye'").hasMessageContaining("type");
        assertThatThrownBy(() -> load(Optional.of(file("colour: blue\n")), Map.of()))
                .hasMessageContaining("unknown config key 'colour'");
        assertThatThrownBy(() -> load(Optional.of(file("media:\n  tools:\n    gimp: gimp\n")), Map.of()))
                .hasMessageContaining("'media.tools.gimp'");
        assertThatThrownBy(() -> load(Optional.of(file("budgets:\n  likes: {perSecond: 1, burst: 2}\n")), Map.of()))
                .hasMessageContaining("'budgets.likes'");
        assertThatThrownBy(() -> load(Optional.of(file("bus: redis\n")), Map.of()))
                .hasMessageContaining("'bus' is a section");
        assertThatThrownBy(() -> load(Optional.of(file("server:\n  port:\n    tcp: 1\n")), Map.of()))
                .hasMessageContaining("'server.port' takes a value");
    }

    @Test
    void aMalformedValueNamesTheKeyAndWhereItCameFrom() throws Exception {
        assertThatThrownBy(() -> load(Optional.of(file("server:\n  port: eighty\n")), Map.of()))
                .hasMessageContaining("server.port").hasMessageContaining("parley.yml")
                .hasMessageContaining("eighty");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_LIMITS_MAX_MEMBERS", "lots")))
                .hasMessageContaining("PARLEY_LIMITS_MAX_MEMBERS");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_STORE_FSYNC", "maybe")))
                .hasMessageContaining("PARLEY_STORE_FSYNC");
        assertThatThrownBy(() -> load(Optional.of(file("mqtt:\n  maxSessionExpiry: someday\n")), Map.of()))
                .hasMessageContaining("mqtt.maxSessionExpiry").hasMessageContaining("someday");
    }

    @Test
    void theRecordsValidateWhatWasBound() throws Exception {
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_BUS_TYPE", "redis")))
                .hasMessageContaining("bus.url must be a redis://").hasMessageContaining("PARLEY_BUS_TYPE");
        assertThatThrownBy(() -> load(Optional.of(file("store:\n  type: mysql\n")), Map.of()))
                .hasMessageContaining("store.type must be sqlite, postgres or dynamodb");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_CONNECTIONS_PONG_TIMEOUT_MS", "5")))
                .hasMessageContaining("at least 100 ms");
        assertThatThrownBy(() -> load(Optional.empty(), Map.of("PARLEY_PORT", "70000")))
                .hasMessageContaining("port must be 0-65535");
    }

    @Test
    void theSampleFileSpellsOutExactlyTheDefaults() {
        var sample = load(Optional.of(Path.of("..", "parley.sample.yml")), Map.of());
        var none = load(Optional.empty(), Map.of());
        assertThat(sample).isEqualTo(none);
    }
}
