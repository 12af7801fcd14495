package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reading one setting: the environment variable wins over the YAML field, which wins over the default.
 * Every reader names both, so an error message says exactly what to fix.
 */
public final class Settings {
    private Settings() {
    }

    /** {@code PARLEY_RATE_LIMITS=off} turns off every rate limit and per-address cap (load tests, benchmarks). */
    public static boolean rateLimitsOff(Map<String, String> env) {
        String v = env.get("PARLEY_RATE_LIMITS");
        return v != null && (v.strip().equalsIgnoreCase("off") || v.strip().equalsIgnoreCase("false"));
    }

    public static int intOf(Map<String, String> env, String var, JsonNode section, String field, int dflt) {
        String v = env.get(var);
        if (v != null) {
            try {
                return Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(var + " must be an integer, not '" + v + "'");
            }
        }
        JsonNode n = section.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToInt()) {
            throw new IllegalArgumentException("config " + field + " must be an integer");
        }
        return n.asInt();
    }

    public static long longOf(Map<String, String> env, String var, JsonNode section, String field, long dflt) {
        String v = env.get(var);
        if (v != null) {
            try {
                return Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(var + " must be an integer, not '" + v + "'");
            }
        }
        JsonNode n = section.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToLong()) {
            throw new IllegalArgumentException("config " + field + " must be an integer");
        }
        return n.asLong();
    }

    public static double doubleOf(Map<String, String> env, String var, JsonNode section, String field, double dflt) {
        String v = env.get(var);
        if (v != null) {
            try {
                return Double.parseDouble(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(var + " must be a number, not '" + v + "'");
            }
        }
        JsonNode n = section.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("config " + field + " must be a number");
        }
        return n.asDouble();
    }

    static boolean boolOf(Map<String, String> env, String var, JsonNode section, String field, boolean dflt) {
        String v = env.get(var);
        if (v != null) {
            return switch (v.strip().toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "1" -> true;
                case "false", "off", "no", "0" -> false;
                default -> throw new IllegalArgumentException(var + " must be true or false, not '" + v + "'");
            };
        }
        JsonNode n = section.path(field);
        return n.isMissingNode() || n.isNull() ? dflt : n.asBoolean(dflt);
    }

    /** Comma-separated in the environment, a YAML list (or comma-separated string) in the file. */
    static List<String> listOf(Map<String, String> env, String var, JsonNode section, String field) {
        List<String> out = new ArrayList<>();
        String v = env.get(var);
        if (v == null && section.path(field).isTextual()) {
            v = section.path(field).asText();
        }
        if (v != null) {
            Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
        } else {
            section.path(field).forEach(n -> out.add(n.asText().strip()));
        }
        return out;
    }

    /**
     * A duration as milliseconds: a plain number is milliseconds; a number with a unit {@code ms}, {@code s},
     * {@code m}, {@code h} or {@code d} (e.g. {@code 30d}), or an ISO-8601 duration ({@code PT12H}).
     */
    public static long durationMsOf(Map<String, String> env, String var, JsonNode section, String field, long dflt) {
        String v = env.get(var);
        String name = var;
        if (v == null) {
            JsonNode n = section.path(field);
            if (n.isMissingNode() || n.isNull()) {
                return dflt;
            }
            v = n.asText();
            name = "config " + field;
        }
        try {
            return parseDurationMs(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be a duration such as 30d, 12h, 90s or 500ms, not '"
                    + v + "'");
        }
    }

    static long parseDurationMs(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            return Duration.parse(s.toUpperCase(Locale.ROOT)).toMillis();
        }
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException(text);
        }
        double n = Double.parseDouble(s.substring(0, i));
        long unit = switch (s.substring(i).strip()) {
            case "", "ms" -> 1L;
            case "s" -> 1_000L;
            case "m", "min" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> throw new IllegalArgumentException(text);
        };
        return Math.round(n * unit);
    }
}
