package dev.parley.server.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the configuration in one way: every key's default ({@link ConfigFile#defaults}), then the YAML
 * file, then the environment ({@link EnvOverlay}: {@code PARLEY_<SECTION>_<KEY>} for every key, plus the
 * earlier short names such as {@code PARLEY_PORT}), then command-line options (later wins); Jackson binds
 * the result onto the config records, whose constructors validate it. A key the file does not know is a
 * start-up error naming it, and every error names the key and where its value came from.
 * {@code parley.sample.yml} lists every key.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** S3 credentials: from the environment only, never from a file that may be shared or committed. */
    private static final List<String> ENV_ONLY = List.of("media.s3.accessKey", "media.s3.secretKey");

    private ConfigLoader() {
    }

    /** Command-line values; null means "not given". */
    public record Overrides(Integer port, Path dataDir, String host, Integer mqttPort, String roles) {
        public Overrides(Integer port, Path dataDir, String host, Integer mqttPort) {
            this(port, dataDir, host, mqttPort, null);
        }

        public Overrides(Integer port, Path dataDir, String host) {
            this(port, dataDir, host, null, null);
        }

        public static Overrides none() {
            return new Overrides(null, null, null, null, null);
        }
    }

    /** {@code PARLEY_RATE_LIMITS=off} turns off every rate limit and per-address cap (load tests, benchmarks). */
    public static boolean rateLimitsOff(Map<String, String> env) {
        String v = env.get("PARLEY_RATE_LIMITS");
        return v != null && (v.strip().equalsIgnoreCase("off") || v.strip().equalsIgnoreCase("false"));
    }

    /**
     * The node's configuration.
     *
     * @throws IllegalArgumentException naming the key (and the variable or file that set it) when a key is
     *                                  unknown or a value is malformed or out of range
     */
    public static ServerConfig load(Optional<Path> file, Map<String, String> env, Overrides cli) {
        JsonNode defaults = YAML.valueToTree(ConfigFile.defaults());
        ObjectNode tree = defaults.deepCopy();
        Map<String, String> origins = new HashMap<>();
        if (file.isPresent()) {
            JsonNode yaml = read(file.get());
            checkKnown(yaml, defaults, "");
            for (String key : ENV_ONLY) {
                if (!at(yaml, key).isMissingNode()) {
                    throw new IllegalArgumentException("config " + key + " is read from the environment only ("
                            + EnvOverlay.nameOf(key) + "), never from the file");
                }
            }
            merge(tree, yaml, defaults, "", origins, file.get().getFileName().toString());
        }
        EnvOverlay.apply(tree, defaults, env, origins);
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (cli.port() != null) {
            setAt(tree, "server.port", f.numberNode(cli.port()), "--port", origins);
        }
        if (cli.dataDir() != null) {
            setAt(tree, "data", f.textNode(cli.dataDir().toString()), "--data", origins);
        }
        if (cli.host() != null) {
            setAt(tree, "server.host", f.textNode(cli.host()), "--host", origins);
        }
        if (cli.mqttPort() != null) {
            setAt(tree, "mqtt.port", f.numberNode(cli.mqttPort()), "--mqtt-port", origins);
        }
        if (cli.roles() != null) {
            setAt(tree, "server.roles", EnvOverlay.commaList(cli.roles()), "--roles", origins);
        }
        inferTypes(tree, origins);
        return bind(tree, origins).toServerConfig(rateLimitsOff(env));
    }

    /** A URL or bucket alone picks its engine, unless the type was given. */
    private static void inferTypes(ObjectNode tree, Map<String, String> origins) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (!origins.containsKey("store.type") && at(tree, "store.url").asText("").startsWith("jdbc:postgresql:")) {
            setAt(tree, "store.type", f.textNode(ServerConfig.StoreConfig.POSTGRES), "store.url", origins);
        }
        if (!origins.containsKey("bus.type") && at(tree, "bus.streamUrl").isTextual()) {
            setAt(tree, "bus.type", f.textNode(ServerConfig.BusConfig.JETSTREAM), "bus.streamUrl", origins);
        } else if (!origins.containsKey("bus.type") && at(tree, "bus.url").isTextual()) {
            setAt(tree, "bus.type", f.textNode(ServerConfig.BusConfig.REDIS), "bus.url", origins);
        }
        if (!origins.containsKey("media.type") && at(tree, "media.s3.bucket").isTextual()) {
            setAt(tree, "media.type", f.textNode("s3"), "media.s3.bucket", origins);
        }
    }

    private static ConfigFile bind(ObjectNode tree, Map<String, String> origins) {
        try {
            return YAML.treeToValue(tree, ConfigFile.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream().map(JsonMappingException.Reference::getFieldName)
                    .filter(n -> n != null).collect(Collectors.joining("."));
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
                cause = cause.getCause();
            }
            String what = cause instanceof IllegalArgumentException ? cause.getMessage()
                    : e instanceof InvalidFormatException bad ? "'" + bad.getValue() + "' is not a valid "
                    + bad.getTargetType().getSimpleName() : e.getOriginalMessage();
            String from = origins.entrySet().stream()
                    .filter(o -> o.getKey().equals(path) || o.getKey().startsWith(path + "."))
                    .map(Map.Entry::getValue).distinct().sorted().collect(Collectors.joining(", "));
            throw new IllegalArgumentException("config " + path + (from.isEmpty() ? "" : " (set by " + from + ")")
                    + ": " + what, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("config: " + e.getMessage(), e);
        }
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode node = YAML.readTree(Files.readAllBytes(file));
            if (node == null || node.isMissingNode() || node.isNull()) {
                return YAML.createObjectNode();
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException("config file " + file + " must be a YAML mapping of sections");
            }
            return node;
        } catch (IOException ex) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Every key of the file must be one the defaults have, sections where they have sections. */
    private static void checkKnown(JsonNode yaml, JsonNode defaults, String prefix) {
        for (Iterator<Map.Entry<String, JsonNode>> it = yaml.fields(); it.hasNext(); ) {
            var e = it.next();
            String path = prefix + e.getKey();
            JsonNode d = defaults.get(e.getKey());
            if (d == null) {
                List<String> known = iterable(defaults.fieldNames());
                throw new IllegalArgumentException("unknown config key '" + path + "'" + (prefix.isEmpty()
                        ? " (sections: " : " (keys in " + prefix.substring(0, prefix.length() - 1) + ": ")
                        + String.join(", ", known) + ")");
            }
            JsonNode v = e.getValue();
            if (d.isObject()) {
                if (v.isObject()) {
                    checkKnown(v, d, path + ".");
                } else if (!v.isNull()) {
                    throw new IllegalArgumentException("config key '" + path + "' is a section (keys: "
                            + String.join(", ", iterable(d.fieldNames())) + "), not a value");
                }
            } else if (v.isObject()) {
                throw new IllegalArgumentException("config key '" + path + "' takes a value, not a section");
            }
        }
    }

    /** Copies the file's values over the defaults; an empty value keeps the default. */
    private static void merge(ObjectNode into, JsonNode from, JsonNode defaults, String prefix,
                              Map<String, String> origins, String source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue();
            JsonNode d = defaults.get(e.getKey());
            String path = prefix + e.getKey();
            if (v.isNull()) {
                continue;
            }
            if (d.isObject()) {
                merge((ObjectNode) into.get(e.getKey()), v, d, path + ".", origins, source);
                continue;
            }
            into.set(e.getKey(), d.isArray() && v.isTextual() ? EnvOverlay.commaList(v.asText()) : v);
            origins.put(path, source);
        }
    }

    private static JsonNode at(JsonNode node, String path) {
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    private static void setAt(ObjectNode tree, String path, JsonNode value, String origin,
                              Map<String, String> origins) {
        String[] parts = path.split("\\.");
        ObjectNode section = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            section = (ObjectNode) section.get(parts[i]);
        }
        section.set(parts[parts.length - 1], value);
        origins.put(path, origin);
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
