package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.parley.core.Limits;
import dev.parley.server.media.MediaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the configuration: defaults, then the YAML file, then environment variables, then command-line
 * options (later wins). See {@code parley.sample.yml} for every key.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    /** Command-line values; null means "not given". */
    public record Overrides(Integer port, Path dataDir, String host, Integer mqttPort) {
        public Overrides(Integer port, Path dataDir, String host) {
            this(port, dataDir, host, null);
        }

        public static Overrides none() {
            return new Overrides(null, null, null, null);
        }
    }

    public static ServerConfig load(Optional<Path> file, Map<String, String> env, Overrides cli) {
        JsonNode root = file.map(ConfigLoader::read).orElse(YAML.createObjectNode());
        JsonNode server = root.path("server");
        JsonNode store = root.path("store");
        JsonNode bus = root.path("bus");
        JsonNode limits = root.path("limits");
        JsonNode password = root.path("password");
        Limits d = Limits.defaults();
        ServerConfig e = ServerConfig.embedded(Path.of("data"), 8080);

        String host = first(cli.host(), env.get("PARLEY_HOST"), text(server, "host"), e.host());
        int port = cli.port() != null ? cli.port()
                : intOf(env.get("PARLEY_PORT"), "PARLEY_PORT", intNode(server, "port", e.port()));
        Path data = cli.dataDir() != null ? cli.dataDir()
                : Path.of(first(env.get("PARLEY_DATA"), text(root, "data"), "data"));
        String nodeId = first(env.get("PARLEY_NODE_ID"), text(server, "nodeId"), e.nodeId());

        String storeUrl = first(env.get("PARLEY_STORE_URL"), text(store, "url"), null);
        String storeType = first(env.get("PARLEY_STORE_TYPE"), text(store, "type"),
                storeUrl != null && storeUrl.startsWith("jdbc:postgresql:") ? ServerConfig.StoreConfig.POSTGRES
                        : ServerConfig.StoreConfig.SQLITE);
        var storeConfig = new ServerConfig.StoreConfig(storeType, storeUrl,
                intNode(store, "poolSize", e.store().poolSize()), intNode(store, "maxBatch", e.store().maxBatch()),
                boolNode(store, "fsync", e.store().fsync()),
                env.get("PARLEY_STORE_PARTITIONS") != null
                        ? intOf(env.get("PARLEY_STORE_PARTITIONS"), "PARLEY_STORE_PARTITIONS", 0)
                        : intNode(store, "partitions", ServerConfig.StoreConfig.DEFAULT_PARTITIONS));

        String redisUrl = first(env.get("PARLEY_REDIS_URL"), text(bus, "url"), null);
        String busType = first(text(bus, "type"), null, redisUrl != null ? ServerConfig.BusConfig.REDIS
                : ServerConfig.BusConfig.LOCAL);
        var busConfig = new ServerConfig.BusConfig(busType, redisUrl,
                first(env.get("PARLEY_REDIS_PREFIX"), text(bus, "prefix"), ServerConfig.BusConfig.DEFAULT_PREFIX),
                env.get("PARLEY_REDIS_SHARDED") != null ? Boolean.parseBoolean(env.get("PARLEY_REDIS_SHARDED"))
                        : boolNode(bus, "sharded", false),
                env.get("PARLEY_REDIS_CLUSTER") != null ? Boolean.parseBoolean(env.get("PARLEY_REDIS_CLUSTER"))
                        : boolNode(bus, "cluster", false),
                bus.path("presenceTtlMs").asLong(ServerConfig.BusConfig.DEFAULT_PRESENCE_TTL_MS));

        double sendRate = env.get("PARLEY_SEND_RATE") != null
                ? doubleOf(env.get("PARLEY_SEND_RATE"), "PARLEY_SEND_RATE")
                : limits.path("sendRate").asDouble(d.sendPerSecond());
        Limits lim = new Limits(intNode(limits, "maxBodyBytes", d.maxBodyBytes()), d.maxHandleLength(),
                intNode(limits, "minPasswordLength", d.minPasswordLength()), d.maxPasswordLength(),
                intNode(limits, "maxTitleLength", d.maxTitleLength()), d.maxDisplayNameLength(),
                intNode(limits, "maxMembers", d.maxMembers()), intNode(limits, "maxPageSize", d.maxPageSize()),
                sendRate, intNode(limits, "sendBurst", d.sendBurst()),
                intNode(limits, "signInFailuresPerMinute", d.signInFailuresPerMinute()),
                limits.path("typingTimeoutMs").asLong(d.typingTimeoutMs()));

        int maxFrame = env.get("PARLEY_MAX_FRAME_BYTES") != null
                ? intOf(env.get("PARLEY_MAX_FRAME_BYTES"), "PARLEY_MAX_FRAME_BYTES", 0)
                : intNode(limits, "maxFrameBytes", e.maxFrameBytes());
        int maxBody = intNode(limits, "maxHttpBodyBytes", e.maxHttpBodyBytes());

        List<String> origins = new ArrayList<>();
        if (env.get("PARLEY_ALLOWED_ORIGINS") != null) {
            Arrays.stream(env.get("PARLEY_ALLOWED_ORIGINS").split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).forEach(origins::add);
        } else {
            server.path("allowedOrigins").forEach(n -> origins.add(n.asText()));
        }
        var pw = new ServerConfig.PasswordConfig(intNode(password, "memoryKib", e.password().memoryKib()),
                intNode(password, "iterations", e.password().iterations()));
        if (Settings.rateLimitsOff(env)) {
            lim = lim.withSendRate(0);
        }
        return new ServerConfig(host, port, data, nodeId, storeConfig, busConfig, lim, maxFrame, maxBody, origins, pw,
                MediaConfig.load(root.path("media"), env), ConnectionConfig.load(root.path("connections"), env),
                SecurityConfig.load(root.path("security"), env), RateBudgetsConfig.load(root.path("budgets"), env),
                MetricsConfig.load(root.path("metrics"), env),
                MqttConfig.load(root.path("mqtt"), env, cli.mqttPort()),
                OutboundConfig.load(root.path("outbound"), env),
                IntegrationConfig.load(root.path("integration"), env), PushConfig.load(root.path("push"), env));
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode node = YAML.readTree(Files.readAllBytes(file));
            return node == null || node.isMissingNode() || node.isNull() ? YAML.createObjectNode() : node;
        } catch (IOException ex) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static int intNode(JsonNode node, String field, int dflt) {
        JsonNode v = node.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt()) {
            throw new IllegalArgumentException("config " + field + " must be an integer");
        }
        return v.asInt();
    }

    private static boolean boolNode(JsonNode node, String field, boolean dflt) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? dflt : v.asBoolean(dflt);
    }

    private static int intOf(String value, String name, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " must be an integer, not '" + value + "'");
        }
    }

    private static double doubleOf(String value, String name) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
        }
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
