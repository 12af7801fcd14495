package dev.parley.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * The MQTT gateway: MQTT 3.1.1 and 5.0 on its own TCP port (off unless a port is given) and over
 * WebSocket at {@code /v1/mqtt} on the main port. Read from the {@code mqtt:} section of the YAML
 * file, then the environment (later wins); bound by {@link ConfigLoader}.
 *
 * @param port                TCP port for MQTT; {@link #OFF} (the default) = no TCP listener, 0 = any free port
 * @param webSocket           whether {@code /v1/mqtt} on the main port speaks MQTT over WebSocket
 * @param maxInflight         QoS 1 messages sent to one client and not yet acknowledged; delivery waits
 *                            (and later resumes from the log) beyond this, so a slow client costs no memory
 * @param maxSessionExpirySeconds longest a persistent session (3.1.1 clean session 0, 5.0 session expiry)
 *                            is kept after its client goes away; a 5.0 client asking for more gets this
 * @param maxSessionsPerUser  persistent sessions kept per user; the least recently used one goes beyond this
 * @param maxSubscriptions    topic filters one session may hold
 */
public record MqttConfig(int port, boolean webSocket, int maxInflight,
                         @JsonProperty("maxSessionExpiry") @JsonDeserialize(using = Durations.Seconds.class)
                         @JsonSerialize(using = Durations.SecondsText.class) long maxSessionExpirySeconds,
                         int maxSessionsPerUser, int maxSubscriptions) {
    public static final int OFF = -1;

    public MqttConfig {
        if (port < OFF || port > 65535 || maxInflight < 1 || maxInflight > 65535 || maxSessionExpirySeconds < 0
                || maxSessionsPerUser < 1 || maxSubscriptions < 1) {
            throw new IllegalArgumentException("invalid mqtt settings: " + this);
        }
    }

    public static MqttConfig defaults() {
        return new MqttConfig(OFF, true, 64, 7 * 24 * 3600, 16, 100);
    }

    /** Whether the TCP listener runs. */
    public boolean tcp() {
        return port != OFF;
    }

    public MqttConfig withPort(int newPort) {
        return new MqttConfig(newPort, webSocket, maxInflight, maxSessionExpirySeconds, maxSessionsPerUser,
                maxSubscriptions);
    }
}
