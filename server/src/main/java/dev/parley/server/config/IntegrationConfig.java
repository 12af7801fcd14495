package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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
public record IntegrationConfig(String adminToken, String jwtSecret, long webhookPollMs, long webhookRetryBaseMs,
                                long webhookRetryForMs, int webhookConcurrency) {
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

    static IntegrationConfig load(JsonNode section, Map<String, String> env) {
        IntegrationConfig d = defaults();
        return new IntegrationConfig(
                text(env, "PARLEY_ADMIN_TOKEN", section, "adminToken"),
                text(env, "PARLEY_JWT_SECRET", section, "jwtSecret"),
                Settings.durationMsOf(env, "PARLEY_WEBHOOK_POLL", section, "webhookPoll", d.webhookPollMs()),
                Settings.durationMsOf(env, "PARLEY_WEBHOOK_RETRY_BASE", section, "webhookRetryBase",
                        d.webhookRetryBaseMs()),
                Settings.durationMsOf(env, "PARLEY_WEBHOOK_RETRY_FOR", section, "webhookRetryFor",
                        d.webhookRetryForMs()),
                Settings.intOf(env, "PARLEY_WEBHOOK_CONCURRENCY", section, "webhookConcurrency",
                        d.webhookConcurrency()));
    }

    private static String text(Map<String, String> env, String var, JsonNode section, String field) {
        String v = env.get(var);
        if (v == null && section.path(field).isTextual()) {
            v = section.path(field).asText();
        }
        return v;
    }
}
