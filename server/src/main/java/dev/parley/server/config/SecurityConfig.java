package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Who the node believes about client addresses, and how sessions live. Read from the {@code security:}
 * section of the YAML file, then the environment (later wins); see {@link #load}.
 *
 * @param trustedProxies addresses or CIDR blocks of load balancers whose {@code X-Forwarded-For} (or PROXY
 *                       protocol header) names the real client ({@code PARLEY_TRUSTED_PROXIES}, comma-separated);
 *                       empty = the peer address is the client
 * @param sessionTtlMs   a session unused for this long expires ({@code PARLEY_SESSION_TTL}, e.g. {@code 30d})
 */
public record SecurityConfig(List<String> trustedProxies, long sessionTtlMs) {

    public SecurityConfig {
        trustedProxies = List.copyOf(trustedProxies);
        if (sessionTtlMs < 60_000) {
            throw new IllegalArgumentException("security.sessionTtl must be at least one minute");
        }
    }

    public static SecurityConfig defaults() {
        return new SecurityConfig(List.of(), 30L * 24 * 3600 * 1000);
    }

    static SecurityConfig load(JsonNode section, Map<String, String> env) {
        SecurityConfig d = defaults();
        return new SecurityConfig(
                Settings.listOf(env, "PARLEY_TRUSTED_PROXIES", section, "trustedProxies"),
                Settings.durationMsOf(env, "PARLEY_SESSION_TTL", section, "sessionTtl", d.sessionTtlMs()));
    }
}
