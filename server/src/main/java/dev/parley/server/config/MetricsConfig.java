package dev.parley.server.config;

/**
 * The Prometheus endpoint {@code GET /metrics}. Read from the {@code metrics:} section of the YAML file, then
 * the environment (later wins).
 *
 * @param enabled whether {@code /metrics} is served ({@code PARLEY_METRICS}, default true)
 * @param token   when set, {@code /metrics} needs {@code Authorization: Bearer <token>} ({@code PARLEY_METRICS_TOKEN})
 */
public record MetricsConfig(boolean enabled, String token) {

    public MetricsConfig {
        token = token == null || token.isBlank() ? null : token.strip();
    }

    public static MetricsConfig defaults() {
        return new MetricsConfig(true, null);
    }

    @Override
    public String toString() {
        return "MetricsConfig[enabled=" + enabled + ", token=" + (token == null ? "none" : "<set>") + "]";
    }
}
