package dev.parley.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;
import java.util.Locale;

/**
 * Where the node may send requests of its own (push services, webhooks): only {@code https} URLs on public
 * addresses, unless {@code host:port} is listed here. Read from the {@code outbound:} section of the YAML file,
 * then the environment (later wins).
 *
 * @param allowedHosts     {@code host:port} pairs admitted although they are private or plain {@code http}
 *                         ({@code PARLEY_OUTBOUND_ALLOWED_HOSTS}, comma-separated; e.g. {@code 127.0.0.1:9999},
 *                         {@code [::1]:8443}, {@code push.internal:443}); compared case-insensitively
 * @param connectTimeoutMs a connection not established within this fails ({@code PARLEY_OUTBOUND_CONNECT_TIMEOUT})
 * @param requestTimeoutMs a request whose answer has not fully arrived within this fails
 *                         ({@code PARLEY_OUTBOUND_REQUEST_TIMEOUT})
 */
public record OutboundConfig(List<String> allowedHosts,
                             @JsonProperty("connectTimeout") @JsonDeserialize(using = Durations.Millis.class)
                             @JsonSerialize(using = Durations.MillisText.class) long connectTimeoutMs,
                             @JsonProperty("requestTimeout") @JsonDeserialize(using = Durations.Millis.class)
                             @JsonSerialize(using = Durations.MillisText.class) long requestTimeoutMs) {

    public OutboundConfig {
        allowedHosts = allowedHosts.stream().map(OutboundConfig::normalize).toList();
        if (connectTimeoutMs < 100 || requestTimeoutMs < 100) {
            throw new IllegalArgumentException("outbound.connectTimeout and outbound.requestTimeout must be at least 100ms");
        }
    }

    public static OutboundConfig defaults() {
        return new OutboundConfig(List.of(), 5_000, 15_000);
    }

    public OutboundConfig withAllowedHosts(List<String> hosts) {
        return new OutboundConfig(hosts, connectTimeoutMs, requestTimeoutMs);
    }

    /** {@code host:port} lower-cased, IPv6 in brackets; a malformed entry fails at start-up, naming it. */
    static String normalize(String entry) {
        String e = entry.strip().toLowerCase(Locale.ROOT);
        int colon = e.lastIndexOf(':');
        if (colon <= 0 || colon == e.length() - 1) {
            throw new IllegalArgumentException("outbound.allowedHosts entries are host:port, not '" + entry + "'");
        }
        String host = e.substring(0, colon);
        if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
            throw new IllegalArgumentException("outbound.allowedHosts: write IPv6 addresses in brackets, '[::1]:8443', not '"
                    + entry + "'");
        }
        int port;
        try {
            port = Integer.parseInt(e.substring(colon + 1));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("outbound.allowedHosts entries are host:port, not '" + entry + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("outbound.allowedHosts: port out of range in '" + entry + "'");
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host + ":" + port;
    }
}
