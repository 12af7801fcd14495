package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one environment scheme: every key of the configuration, at path {@code section.key} (or deeper), is
 * also read from {@code PARLEY_<SECTION>_<KEY>}, each camelCase word upper-cased and joined by {@code _}
 * ({@code bus.type} = {@code PARLEY_BUS_TYPE}, {@code media.s3.bucket} = {@code PARLEY_MEDIA_S3_BUCKET},
 * {@code budgets.readsPerAddress.burst} = {@code PARLEY_BUDGETS_READS_PER_ADDRESS_BURST}). The names
 * documented before this scheme ({@link #SHORT_NAMES}, e.g. {@code PARLEY_PORT}) keep working; where both
 * are set the scheme's name wins. Lists are comma-separated; booleans accept true/false, on/off, yes/no, 1/0.
 */
final class EnvOverlay {
    /** Earlier, shorter names, kept exactly: name → path. */
    static final Map<String, String> SHORT_NAMES = shortNames();

    private EnvOverlay() {
    }

    private static Map<String, String> shortNames() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PARLEY_HOST", "server.host");
        m.put("PARLEY_PORT", "server.port");
        m.put("PARLEY_NODE_ID", "server.nodeId");
        m.put("PARLEY_ALLOWED_ORIGINS", "server.allowedOrigins");
        m.put("PARLEY_ROLES", "server.roles");
        m.put("PARLEY_DATA", "data");
        m.put("PARLEY_REDIS_URL", "bus.url");
        m.put("PARLEY_REDIS_PREFIX", "bus.prefix");
        m.put("PARLEY_REDIS_SHARDED", "bus.sharded");
        m.put("PARLEY_REDIS_CLUSTER", "bus.cluster");
        m.put("PARLEY_NATS_URL", "bus.streamUrl");
        m.put("PARLEY_EVENT_LOOPS", "connections.eventLoops");
        m.put("PARLEY_SEND_RATE", "limits.sendRate");
        m.put("PARLEY_MAX_FRAME_BYTES", "limits.maxFrameBytes");
        m.put("PARLEY_TRUSTED_PROXIES", "security.trustedProxies");
        m.put("PARLEY_SESSION_TTL", "security.sessionTtl");
        m.put("PARLEY_PROXY_PROTOCOL", "security.proxyProtocol");
        m.put("PARLEY_HASH_CONCURRENCY", "security.hashConcurrency");
        m.put("PARLEY_HASH_QUEUE", "security.hashQueue");
        m.put("PARLEY_SIGNUPS_PER_HOUR", "security.signUpsPerHourPerAddress");
        m.put("PARLEY_SESSION_AUDIT_INTERVAL", "security.sessionAuditInterval");
        m.put("PARLEY_METRICS", "metrics.enabled");
        m.put("PARLEY_MEDIA_MAX_BYTES", "media.maxUploadBytes");
        m.put("PARLEY_MEDIA_QUOTA_BYTES", "media.quotaBytesPerUser");
        m.put("PARLEY_MEDIA_TOOL_TIMEOUT_SECONDS", "media.tools.timeoutSeconds");
        m.put("PARLEY_MEDIA_TOOL_MEMORY_BYTES", "media.tools.memoryBytes");
        m.put("PARLEY_ADMIN_TOKEN", "integration.adminToken");
        m.put("PARLEY_JWT_SECRET", "integration.jwtSecret");
        m.put("PARLEY_WEBHOOK_POLL", "integration.webhookPoll");
        m.put("PARLEY_WEBHOOK_RETRY_BASE", "integration.webhookRetryBase");
        m.put("PARLEY_WEBHOOK_RETRY_FOR", "integration.webhookRetryFor");
        m.put("PARLEY_WEBHOOK_CONCURRENCY", "integration.webhookConcurrency");
        m.put("PARLEY_PUSH", "push.enabled");
        m.put("PARLEY_VAPID_SUBJECT", "push.vapidSubject");
        m.put("PARLEY_FCM_CREDENTIALS", "push.fcm.credentialsFile");
        m.put("PARLEY_FCM_URL", "push.fcm.url");
        m.put("PARLEY_FCM_TOKEN_URL", "push.fcm.tokenUrl");
        m.put("PARLEY_APNS_URL", "push.apns.url");
        m.put("PARLEY_APNS_KEY_FILE", "push.apns.keyFile");
        m.put("PARLEY_APNS_KEY_ID", "push.apns.keyId");
        m.put("PARLEY_APNS_TEAM_ID", "push.apns.teamId");
        m.put("PARLEY_APNS_TOPIC", "push.apns.topic");
        m.put("PARLEY_APNS_CA_FILE", "push.apns.caFile");
        return Map.copyOf(m);
    }

    /** {@code PARLEY_} and the path's words in upper snake case. */
    static String nameOf(String path) {
        StringBuilder sb = new StringBuilder("PARLEY");
        for (String segment : path.split("\\.")) {
            sb.append('_');
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (Character.isUpperCase(c) && i > 0) {
                    sb.append('_');
                }
                sb.append(Character.toUpperCase(c));
            }
        }
        return sb.toString();
    }

    /**
     * Sets in {@code tree} every key the environment names, typed like its default in {@code defaults};
     * records in {@code origins} which variable set which path.
     *
     * @throws IllegalArgumentException naming the variable when a value has the wrong type
     */
    static void apply(ObjectNode tree, JsonNode defaults, Map<String, String> env, Map<String, String> origins) {
        SHORT_NAMES.forEach((name, path) -> {
            String value = env.get(name);
            if (value != null) {
                set(tree, defaults, path, name, value, origins);
            }
        });
        for (String path : leaves(defaults, "")) {
            String name = nameOf(path);
            String value = env.get(name);
            if (value != null) {
                set(tree, defaults, path, name, value, origins);
            }
        }
    }

    /** Dotted paths of every value in {@code node} that is not a section. */
    static List<String> leaves(JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                out.addAll(leaves(e.getValue(), path));
            } else {
                out.add(path);
            }
        }
        return out;
    }

    private static void set(ObjectNode tree, JsonNode defaults, String path, String name, String value,
                            Map<String, String> origins) {
        String[] parts = path.split("\\.");
        ObjectNode section = tree;
        JsonNode d = defaults;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = section.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = section.putObject(parts[i]);
            }
            section = (ObjectNode) child;
            d = d.path(parts[i]);
        }
        String key = parts[parts.length - 1];
        section.set(key, typed(d.path(key), name, value.strip()));
        origins.put(path, name);
    }

    private static JsonNode typed(JsonNode dflt, String name, String value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        try {
            if (dflt.isIntegralNumber()) {
                return f.numberNode(Long.parseLong(value));
            }
            if (dflt.isNumber()) {
                return f.numberNode(Double.parseDouble(value));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + (dflt.isIntegralNumber() ? "an integer" : "a number")
                    + ", not '" + value + "'");
        }
        if (dflt.isBoolean()) {
            return f.booleanNode(switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "1" -> true;
                case "false", "off", "no", "0" -> false;
                default -> throw new IllegalArgumentException(name + " must be true or false, not '" + value + "'");
            });
        }
        if (dflt.isArray()) {
            return commaList(value);
        }
        return f.textNode(value);
    }

    /** {@code "a, b,,c"} as the list {@code [a, b, c]}. */
    static ArrayNode commaList(String value) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                list.add(part.strip());
            }
        }
        return list;
    }
}
