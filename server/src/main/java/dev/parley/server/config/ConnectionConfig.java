package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * How the node treats connections before and after they authenticate: liveness (pings), time limits
 * for sockets and HTTP requests that say nothing, and caps per client address. Read from the
 * {@code connections:} section of the YAML file, then the environment (later wins); see {@link #load}.
 *
 * @param helloTimeoutMs           a WebSocket that has not sent {@code hello} within this is closed (4401)
 * @param maxConnectionsPerAddress open connections (WebSocket and HTTP) one client address may hold; 0 = no cap
 */
public record ConnectionConfig(long helloTimeoutMs, int maxConnectionsPerAddress) {

    public ConnectionConfig {
        if (helloTimeoutMs < 100 || maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("invalid connection settings: " + this);
        }
    }

    public static ConnectionConfig defaults() {
        return new ConnectionConfig(10_000, 512);
    }

    /** The same settings with every per-address cap lifted ({@code PARLEY_RATE_LIMITS=off}). */
    public ConnectionConfig withoutLimits() {
        return new ConnectionConfig(helloTimeoutMs, 0);
    }

    static ConnectionConfig load(JsonNode section, Map<String, String> env) {
        ConnectionConfig d = defaults();
        ConnectionConfig c = new ConnectionConfig(
                Settings.longOf(env, "PARLEY_CONNECTIONS_HELLO_TIMEOUT_MS", section, "helloTimeoutMs",
                        d.helloTimeoutMs()),
                Settings.intOf(env, "PARLEY_CONNECTIONS_MAX_PER_ADDRESS", section, "maxPerAddress",
                        d.maxConnectionsPerAddress()));
        return Settings.rateLimitsOff(env) ? c.withoutLimits() : c;
    }
}
