package dev.parley.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.nio.charset.StandardCharsets;

/**
 * How a host product drives Parley: the operator token of the admin API, the secret of host-signed JWT
 * sign-in, and webhook delivery. Read from the {@code integration:} section of the YAML file, then the
 * environment (later wins). Secrets never appear in {@link #toString}.
 *
 * @param adminToken        {@code Authorization: Bearer <adminToken>} is the operator on {@code /v1/admin/*}
 *                          ({@code PARLEY_ADMIN_TOKEN}); null = those routes answer 404. At least 32 characters.
 * @param jwtSecret         HMAC key of HS256 JWTs accepted by {@code POST /v1/sessions {jwt}}
 *                          ({@code PARLEY_JWT_SECRET}); null = JWT sign-in is off. At least 32 bytes.
 * @param webhookPollMs     how often a node looks for webhook deliveries that are due ({@code PARLEY_WEBHOOK_POLL})
 * @param webhookRetryBaseMs first retry delay after a failed delivery; doubles per attempt up to an hour
 *                          ({@code PARLEY_WEBHOOK_RETRY_BASE})
 * @param webhookRetryForMs a delivery still failing this long after its event is dropped ({@code PARLEY_WEBHOOK_RETRY_FOR},
 *                          default 24h)
 * @param webhookConcurrency deliveries one node has in flight at once ({@code PARLEY_WEBHOOK_CONCURRENCY})
 */
public record IntegrationConfig(String adminToken, String jwtSecret,
                                @JsonProperty("webhookPoll") @JsonDeserialize(using = Durations.Millis.class)
                                @JsonSerialize(using = Durations.MillisText.class) long webhookPollMs,
                                @JsonProperty("webhookRetryBase") @JsonDeserialize(using = Durations.Millis.class)
                                @JsonSerialize(using = Durations.MillisText.class) long webhookRetryBaseMs,
                                @JsonProperty("webhookRetryFor") @JsonDeserialize(using = Durations.Millis.class)
                                @JsonSerialize(using = Durations.MillisText.class) long webhookRetryForMs,
                                int webhookConcurrency) {
    public static final int MIN_SECRET_LENGTH = 32;

    public IntegrationConfig {
        adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken.strip();
        jwtSecret = jwtSecret == null || jwtSecret.isEmpty() ? null : jwtSecret;
        if (adminToken != null && adminToken.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("PARLEY_ADMIN_TOKEN must be at least " + MIN_SECRET_LENGTH
                    + " characters (use e.g. openssl rand -hex 32)");
        }
        if (jwtSecret != null && jwtSecret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("PARLEY_JWT_SECRET must be at least " + MIN_SECRET_LENGTH + " bytes");
        }
        if (webhookPollMs < 10 || webhookRetryBaseMs < 10 || webhookRetryForMs < 1_000 || webhookConcurrency < 1) {
            throw new IllegalArgumentException("integration.webhookPoll and webhookRetryBase must be at least 10ms,"
                    + " webhookRetryFor at least 1s, webhookConcurrency at least 1");
        }
    }

    public static IntegrationConfig defaults() {
        return new IntegrationConfig(null, null, 100, 1_000, 24L * 3600 * 1000, 16);
    }

    public IntegrationConfig withAdminToken(String token) {
        return new IntegrationConfig(token, jwtSecret, webhookPollMs, webhookRetryBaseMs, webhookRetryForMs,
                webhookConcurrency);
    }

    public IntegrationConfig withJwtSecret(String secret) {
        return new IntegrationConfig(adminToken, secret, webhookPollMs, webhookRetryBaseMs, webhookRetryForMs,
                webhookConcurrency);
    }

    public IntegrationConfig withWebhookTiming(long pollMs, long retryBaseMs, long retryForMs) {
        return new IntegrationConfig(adminToken, jwtSecret, pollMs, retryBaseMs, retryForMs, webhookConcurrency);
    }

    @Override
    public String toString() {
        return "IntegrationConfig[adminToken=" + (adminToken == null ? "none" : "<set>") + ", jwtSecret="
                + (jwtSecret == null ? "none" : "<set>") + ", webhookPollMs=" + webhookPollMs + ", webhookRetryBaseMs="
                + webhookRetryBaseMs + ", webhookRetryForMs=" + webhookRetryForMs + ", webhookConcurrency="
                + webhookConcurrency + "]";
    }
}
