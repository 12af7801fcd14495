package dev.parley.server.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * Durations in the configuration: a plain number is milliseconds; a number with a unit {@code ms}, {@code s},
 * {@code m}, {@code h} or {@code d} (e.g. {@code 30d}), or an ISO-8601 duration ({@code PT12H}). Bound onto
 * {@code long} record components holding milliseconds or seconds with the (de)serializers here.
 */
public final class Durations {
    private Durations() {
    }

    /** Milliseconds of {@code text}; {@link IllegalArgumentException} naming the accepted forms otherwise. */
    public static long parseMs(String text) {
        try {
            return parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("must be a duration such as 30d, 12h, 90s or 500ms, not '" + text + "'");
        }
    }

    private static long parse(String text) {
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

    /** Reads a duration into a count of {@code unitMs} (whole units, rounded down). */
    abstract static class Reader extends StdDeserializer<Long> {
        private final long unitMs;

        Reader(long unitMs) {
            super(Long.class);
            this.unitMs = unitMs;
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return parseMs(p.getValueAsString()) / unitMs;
        }
    }

    /** Writes a count with its unit, so that what is written reads back the same. */
    abstract static class Writer extends StdSerializer<Long> {
        private final String unit;

        Writer(String unit) {
            super(Long.class);
            this.unit = unit;
        }

        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value + unit);
        }
    }

    /** Reads a duration into milliseconds. */
    public static final class Millis extends Reader {
        public Millis() {
            super(1);
        }
    }

    /** Reads a duration into whole seconds. */
    public static final class Seconds extends Reader {
        public Seconds() {
            super(1000);
        }
    }

    /** Writes milliseconds as {@code <n>ms}. */
    public static final class MillisText extends Writer {
        public MillisText() {
            super("ms");
        }
    }

    /** Writes seconds as {@code <n>s}. */
    public static final class SecondsText extends Writer {
        public SecondsText() {
            super("s");
        }
    }
}
