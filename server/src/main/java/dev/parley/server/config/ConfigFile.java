package dev.parley.server.config;

import dev.parley.core.Limits;
import dev.parley.core.RateBudgets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The YAML file's shape: one component per top-level key, onto which Jackson binds the file merged with
 * the environment ({@link ConfigLoader}). Sections whose records read like the file ({@code store},
 * {@code bus}, {@code connections}, {@code mqtt}, {@code password}, {@code metrics}, {@code security}) are
 * the validated config records themselves; the others ({@code server}, {@code limits}, {@code media},
 * {@code budgets}) have a file-shaped record here that {@link #toServerConfig} turns into those.
 *
 * <p>To add a setting: add a component (and its default) to the section's record and to
 * {@code parley.sample.yml}; it is then readable from the file and from {@code PARLEY_<SECTION>_<KEY>}.
 */
record ConfigFile(ServerSection server, String data, ServerConfig.StoreConfig store, ServerConfig.BusConfig bus,
                  LimitsSection limits, MediaSection media, ConnectionConfig connections, MqttConfig mqtt,
                  ServerConfig.PasswordConfig password, MetricsConfig metrics,
                  Map<String, RateBudgets.Budget> budgets, SecurityConfig security, OutboundConfig outbound,
                  IntegrationConfig integration, PushSection push) {

    /**
     * {@code server:}: where the node listens, who may open WebSockets from a browser, and which roles the
     * node runs ({@link NodeRoles}).
     */
    record ServerSection(String host, int port, String nodeId, List<String> allowedOrigins, List<String> roles) {
        ServerSection {
            try {
                NodeRoles.parse(roles); // here, so that the error names the key and who set it
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("server.roles: " + e.getMessage(), e);
            }
        }
    }

    /** {@code limits:}: the core's {@link Limits} that are configurable, plus the two transport sizes. */
    record LimitsSection(int maxFrameBytes, int maxHttpBodyBytes, int maxBodyBytes, int minPasswordLength,
                         int maxTitleLength, int maxMembers, int maxPageSize, double sendRate, int sendBurst,
                         int signInFailuresPerMinute, long typingTimeoutMs) {

        Limits toLimits(boolean rateLimitsOff) {
            Limits d = Limits.defaults();
            return new Limits(maxBodyBytes, d.maxHandleLength(), minPasswordLength, d.maxPasswordLength(),
                    maxTitleLength, d.maxDisplayNameLength(), maxMembers, maxPageSize, rateLimitsOff ? 0 : sendRate,
                    sendBurst, signInFailuresPerMinute, typingTimeoutMs);
        }
    }

    /** Every key with its default: what a missing file, section or key means. */
    static ConfigFile defaults() {
        ServerConfig e = ServerConfig.embedded(Path.of("data"), 8080);
        Limits l = e.limits();
        Map<String, RateBudgets.Budget> budgets = new LinkedHashMap<>();
        for (RateBudgets.Name name : RateBudgets.Name.values()) {
            budgets.put(name.yamlKey(), RateBudgets.defaults().get(name));
        }
        return new ConfigFile(new ServerSection(e.host(), e.port(), e.nodeId(), List.of(),
                NodeRoles.allNames()), "data",
                ServerConfig.StoreConfig.defaults(), e.bus(),
                new LimitsSection(e.maxFrameBytes(), e.maxHttpBodyBytes(), l.maxBodyBytes(), l.minPasswordLength(),
                        l.maxTitleLength(), l.maxMembers(), l.maxPageSize(), l.sendPerSecond(), l.sendBurst(),
                        l.signInFailuresPerMinute(), l.typingTimeoutMs()),
                MediaSection.defaults(), e.connections(), e.mqtt(), e.password(), e.metrics(), budgets, e.security(),
                e.outbound(), e.integration(), PushSection.defaults());
    }

    /** The validated node configuration; {@code rateLimitsOff} ({@code PARLEY_RATE_LIMITS=off}) lifts every rate. */
    ServerConfig toServerConfig(boolean rateLimitsOff) {
        RateBudgets rates = RateBudgets.defaults();
        for (RateBudgets.Name name : RateBudgets.Name.values()) {
            RateBudgets.Budget b = budgets.get(name.yamlKey());
            if (b != null) {
                rates = rates.with(name, b);
            }
        }
        return new ServerConfig(server.host(), server.port(), Path.of(data), server.nodeId(), store, bus,
                limits.toLimits(rateLimitsOff), limits.maxFrameBytes(), limits.maxHttpBodyBytes(),
                server.allowedOrigins() == null ? List.of() : server.allowedOrigins(), password,
                media.toMediaConfig(rateLimitsOff), rateLimitsOff ? connections.withoutLimits() : connections,
                rateLimitsOff ? security.withoutRateLimits() : security, rateLimitsOff ? RateBudgets.off() : rates,
                metrics, mqtt, outbound, integration, push.toPushConfig(), NodeRoles.parse(server.roles()));
    }
}
