package dev.parley.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Values and mutations shared by the WebSocket and HTTP fuzzers: wrong types, extreme numbers, unknown
 * and foreign ids, Unicode oddities, strings just under and over the documented limits, deep nesting,
 * and textual damage to otherwise valid JSON (duplicate keys, truncation, trailing garbage).
 */
final class Junk {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String ID_CHARS = "0123456789abcdefghjkmnpqrstvwxyz";
    /** Lengths around the documented limits: clientMsgId 128, title 128, body 64 KiB, frame 1 MiB. */
    private static final int[] LONG_LENGTHS = {16, 17, 32, 33, 64, 65, 100, 101, 127, 128, 129, 256, 257, 1000,
        65_535, 65_536, 65_537, 200_000};
    private static final String[] ODD_TEXT = {"", " ", "\u0000", "\u0000\u0000x", "\uFEFF", "\u202Eevil\u202C",
        "\u200B\u200C\u200D", "e\u0301\u0301\u0301\u0301", "\uD83D\uDC4D", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
        "\uFFFF", "\uFFFE", "\t\r\n", "\\", "\"", "</script><script>alert(1)</script>", "'; DROP TABLE entries; --",
        "%s%n%x", "${jndi:ldap://127.0.0.1/x}", "../../../../etc/passwd", "null", "true", "[]", "{}", "NaN", "-0",
        "\u00e9\u00e8\u00ea", "\u4f60\u597d", "\uD800\uDC00", "\uDBFF\uDFFF", "\u0085\u2028\u2029"};

    final SplittableRandom r;

    Junk(SplittableRandom r) {
        this.r = r;
    }

    int pick(int n) {
        return r.nextInt(n);
    }

    boolean chance(double p) {
        return r.nextDouble() < p;
    }

    <T> T any(List<T> items) {
        return items.get(r.nextInt(items.size()));
    }

    String any(String... items) {
        return items[r.nextInt(items.length)];
    }

    /** An id of the given prefix that no server made. */
    String unknownId(String prefix) {
        StringBuilder b = new StringBuilder(prefix).append('_');
        for (int i = 0; i < 26; i++) {
            b.append(ID_CHARS.charAt(r.nextInt(ID_CHARS.length())));
        }
        return b.toString();
    }

    /** Random code points from every plane, without lone surrogates (JSON writers refuse those). */
    String unicode(int length) {
        StringBuilder b = new StringBuilder(length);
        while (b.length() < length) {
            int cp = switch (r.nextInt(6)) {
                case 0 -> r.nextInt(0x20);
                case 1 -> 0x20 + r.nextInt(0x5f);
                case 2 -> 0x80 + r.nextInt(0x780);
                case 3 -> 0x800 + r.nextInt(0xD000);
                case 4 -> 0xE000 + r.nextInt(0x2000);
                default -> 0x10000 + r.nextInt(0x100000);
            };
            if (cp < 0xD800 || cp > 0xDFFF) {
                b.appendCodePoint(cp);
            }
        }
        return b.toString();
    }

    String oddText() {
        return ODD_TEXT[r.nextInt(ODD_TEXT.length)];
    }

    /** A string whose length is near a documented limit, in ASCII or in multi-byte characters. */
    String longText() {
        int n = LONG_LENGTHS[r.nextInt(LONG_LENGTHS.length)];
        if (r.nextBoolean()) {
            return "x".repeat(n);
        }
        // three UTF-8 bytes per character: the byte limit is reached at a third of the characters
        return "\u20ac".repeat(Math.max(1, n / 3 + r.nextInt(3) - 1));
    }

    /** Arrays nested {@code depth} levels (the server allows 64). */
    static JsonNode nested(int depth) {
        JsonNode n = F.numberNode(1);
        for (int i = 0; i < depth; i++) {
            ArrayNode a = F.arrayNode();
            a.add(n);
            n = a;
        }
        return n;
    }

    /** A replacement for a field value that is wrong in some way. */
    JsonNode badValue(World world, World.User me) {
        return switch (r.nextInt(22)) {
            case 0 -> F.numberNode(r.nextInt());
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2 -> F.nullNode();
            case 3 -> F.arrayNode().add("x").add(1);
            case 4 -> F.objectNode().put("a", 1);
            case 5 -> F.textNode(Integer.toString(r.nextInt(100)));
            case 6 -> F.numberNode(r.nextInt(100) + 0.5);
            case 7 -> F.numberNode(Long.MAX_VALUE);
            case 8 -> F.numberNode(Long.MIN_VALUE);
            case 9 -> F.numberNode(new BigInteger("9".repeat(20 + r.nextInt(20))));
            case 10 -> F.numberNode(-1 - r.nextInt(1000));
            case 11 -> F.numberNode(new BigDecimal("1e" + (300 + r.nextInt(200))));
            case 12 -> F.textNode(unknownId(any("cnv", "usr", "msg", "med", "dev", "upl")));
            case 13 -> F.textNode(any(world.outsiderConversations()));
            case 14 -> F.textNode(unicode(1 + r.nextInt(40)));
            case 15 -> F.textNode(oddText());
            case 16 -> F.textNode(longText());
            case 17 -> nested(60 + r.nextInt(10));
            case 18 -> F.numberNode(0);
            case 19 -> F.textNode("");
            case 20 -> F.textNode(any(world.users()).userId());
            default -> F.numberNode(new BigInteger("1" + "0".repeat(31 + r.nextInt(3))));
        };
    }

    /** Damages one to three fields of {@code o} in place: bad values, removed fields, unknown fields. */
    void mutateFields(ObjectNode o, World world, World.User me) {
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            List<String> names = new ArrayList<>();
            Iterator<String> it = o.fieldNames();
            it.forEachRemaining(names::add);
            int what = r.nextInt(10);
            if (names.isEmpty() || what == 0) {
                o.set(any("x", "senderId", "__proto__", "constructor", unicode(5), "t ", "T", ""), badValue(world, me));
            } else if (what == 1) {
                o.remove(any(names));
            } else {
                o.set(any(names), badValue(world, me));
            }
        }
    }

    /** Textual damage to a serialized JSON object. */
    String damage(String json) {
        return switch (r.nextInt(9)) {
            case 0 -> json.substring(0, r.nextInt(Math.max(1, json.length())));                 // truncated
            case 1 -> json + any(" trailing", "}", "{}", ",", "\u0000", " ");                        // trailing garbage
            case 2 -> "{\"t\":\"" + any("ping", "send", "hello", "x") + "\"," + json.substring(1); // duplicate key
            case 3 -> json.replaceFirst("\\}$", ",\"t\":\"" + any("sync", "read", "nope") + "\"}"); // duplicate key last
            case 4 -> "[" + json + "]";
            case 5 -> "\uFEFF" + json;
            case 6 -> json.replace("\"", "'");
            case 7 -> {
                char[] c = json.toCharArray();
                if (c.length > 0) {
                    c[r.nextInt(c.length)] = (char) r.nextInt(0x80);
                }
                yield new String(c);
            }
            default -> json.replace(":", ": ").replace(",", " ,\n\t");                             // valid, odd spacing
        };
    }

    /** Random bytes of a random length up to {@code max}. */
    byte[] bytes(int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    /** Bytes that are not UTF-8: lone continuation bytes, overlong forms, encoded surrogates. */
    byte[] invalidUtf8() {
        byte[][] bad = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}};
        byte[] prefix = "{\"t\":\"ping\",\"id\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] b = bad[r.nextInt(bad.length)];
        byte[] out = new byte[prefix.length + b.length + 2];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(b, 0, out, prefix.length, b.length);
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return out;
    }

    /** Text made of JSON punctuation and words: what a parser sees when a client is badly broken. */
    String jsonish(int max) {
        String[] parts = {"{", "}", "[", "]", ":", ",", "\"", "\"t\"", "\"send\"", "1", "-", "e", "null", "true",
            "\\u0000", "\\", " ", "1e999", "\"id\"", "0x10", "NaN", "Infinity", "/*", "//"};
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            b.append(parts[r.nextInt(parts.length)]);
        }
        return b.toString();
    }

    /** {@code [[[[…} or {@code {"a":{"a":…} far past the nesting limit, as raw text. */
    String deepText() {
        int depth = any(List.of(65, 100, 1000, 10_000, 100_000));
        return r.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }
}
