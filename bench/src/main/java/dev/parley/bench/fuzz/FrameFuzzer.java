package dev.parley.bench.fuzz;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes WebSocket frames for one fuzzing socket: mostly structurally valid frames of every client type
 * ({@code hello send read delivered typing react edit delete sync ping}) with damaged fields, some left
 * valid (so real state changes happen), textual damage, random text and bytes, binary frames and
 * control frames; and, to end a session, the violations after which the server should close the socket
 * (oversized and lying lengths, invalid UTF-8, reserved bits, unknown opcodes, unmasked frames).
 */
final class FrameFuzzer {
    static final List<String> TYPES = List.of("hello", "send", "read", "delivered", "typing", "react", "edit",
            "delete", "sync", "ping");
    private static final List<String> EMOJI = List.of("\uD83D\uDC4D", "\u2764\uFE0F", "\uD83C\uDF75", ":tada:", "+1",
            "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The kind of a shot the session splits into fragments. */
    static final String FRAGMENTED = "fragmented";

    /**
     * One frame to write. {@code declaredLength} may disagree with the payload; {@code ends} marks a frame
     * after which the server is expected to close the socket.
     */
    record Shot(String kind, int opcode, byte[] payload, boolean fin, boolean mask, int rsv, long declaredLength,
                boolean ends) {
        static Shot text(String kind, String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            return new Shot(kind, RawWebSocket.TEXT, b, true, true, 0, b.length, false);
        }

        static Shot of(String kind, int opcode, byte[] payload) {
            return new Shot(kind, opcode, payload, true, true, 0, payload.length, false);
        }

        Shot withLength() {
            return new Shot(kind, opcode, payload, fin, mask, rsv, payload.length, ends);
        }

        Shot ending() {
            return new Shot(kind, opcode, payload, fin, mask, rsv, declaredLength, true);
        }

        /** What was sent, for a fault report. */
        String describe() {
            String body = opcode == RawWebSocket.TEXT ? new String(payload, StandardCharsets.UTF_8)
                    : "<" + payload.length + " bytes>";
            return kind + " op=" + opcode + (fin ? "" : " fin=0") + (mask ? "" : " unmasked") + (rsv != 0 ? " rsv=" + rsv : "")
                    + (declaredLength != payload.length ? " declared=" + declaredLength : "") + " " + Tally.cut(body, 300);
        }
    }

    private final Junk j;
    private final World world;
    private final int maxFrameBytes;
    private long ids;

    FrameFuzzer(SplittableRandom random, World world, int maxFrameBytes) {
        this.j = new Junk(random);
        this.world = world;
        this.maxFrameBytes = maxFrameBytes;
    }

    Junk junk() {
        return j;
    }

    /** A frame for an authenticated socket of {@code me}. */
    Shot next(World.User me) {
        int roll = j.pick(100);
        if (roll < 60) {
            String type = j.any(TYPES);
            ObjectNode o = valid(type, me);
            j.mutateFields(o, world, me);
            return Shot.text(type + " mutated", encode(o));
        } else if (roll < 74) {
            String type = j.any(TYPES.subList(1, TYPES.size()));
            return Shot.text(type + " valid", encode(valid(type, me)));
        } else if (roll < 82) {
            String type = j.any(TYPES);
            return Shot.text(type + " damaged", j.damage(encode(valid(type, me))));
        } else if (roll < 86) {
            return Shot.text("random text", j.r.nextBoolean() ? j.unicode(j.pick(300)) : j.jsonish(200));
        } else if (roll < 90) {
            return Shot.of("binary", RawWebSocket.BINARY, j.bytes(512));
        } else if (roll < 92) {
            return Shot.of("control ping", RawWebSocket.PING, j.bytes(125));
        } else if (roll < 94) {
            return Shot.text("deep nesting", j.chance(0.5) ? j.deepText()
                    : encode(valid("send", me).set("body", Junk.nested(60 + j.pick(10)))));
        } else if (roll < 97) {
            ObjectNode o = valid(j.any("send", "edit"), me);
            o.put("body", j.longText());
            return Shot.text(o.path("t").asText() + " long body", encode(o));
        } else if (roll < 99) {
            return fragmented(me);
        } else {
            ObjectNode o = valid("send", me);
            o.put("conversationId", j.any(world.outsiderConversations()));
            return Shot.text("send to outsider", encode(o));
        }
    }

    /** A frame for a socket that has not said {@code hello} yet. */
    Shot beforeHello(World.User me) {
        return switch (j.pick(9)) {
            case 0 -> Shot.text("early " + "ping", encode(valid("ping", me)));
            case 1 -> Shot.text("early send", encode(valid("send", me)));
            case 2 -> Shot.text("hello bad token", encode(valid("hello", me).put("token", j.any(
                    "pt_" + j.unicode(20), "", "x".repeat(101), world.outsider().token() + "x", "null"))));
            case 3 -> {
                ObjectNode o = valid("hello", me);
                o.set("token", j.badValue(world, me));
                yield Shot.text("hello mutated", encode(o));
            }
            case 4 -> Shot.text("hello without token", encode(valid("hello", me).without("token")));
            case 5 -> Shot.of("early binary", RawWebSocket.BINARY, j.bytes(64));
            case 6 -> Shot.text("early random", j.jsonish(50));
            case 7 -> Shot.text("early damaged hello", j.damage(encode(valid("hello", me))));
            default -> Shot.text("early " + "typing", encode(valid("typing", me)));
        };
    }

    /** A violation after which the server should close the socket. */
    Shot violation() {
        return switch (j.pick(9)) {
            case 0 -> Shot.text("oversized", "{\"t\":\"ping\",\"id\":\"" + "x".repeat(maxFrameBytes) + "\"}").ending();
            case 1 -> new Shot("length header lie", RawWebSocket.TEXT, new byte[16], true, true, 0,
                    j.any(List.of(1L << 40, Long.MAX_VALUE, (long) maxFrameBytes + 1)), true);
            case 2 -> Shot.of("invalid utf-8", RawWebSocket.TEXT, j.invalidUtf8()).ending();
            case 3 -> new Shot("reserved bits", RawWebSocket.TEXT, "{\"t\":\"ping\",\"id\":\"r\"}".getBytes(
                    StandardCharsets.UTF_8), true, true, 1 + j.pick(7), 20, true);
            case 4 -> new Shot("unknown opcode", 3 + j.pick(5), j.bytes(20), true, true, 0, -1, true).withLength();
            case 5 -> new Shot("unmasked", RawWebSocket.TEXT, "{\"t\":\"ping\",\"id\":\"u\"}".getBytes(
                    StandardCharsets.UTF_8), true, false, 0, 20, true);
            case 6 -> new Shot("long control frame", RawWebSocket.PING, new byte[126 + j.pick(200)], true, true, 0, -1,
                    true).withLength();
            case 7 -> new Shot("fragmented control", RawWebSocket.PING, new byte[4], false, true, 0, 4, true);
            default -> Shot.of("close bad code", RawWebSocket.CLOSE, new byte[] {(byte) 0x03, (byte) 0xE7}).ending();
        };
    }

    /** A valid frame the session writes as several fragments ({@link #FRAGMENTED}), maybe with a ping between. */
    private Shot fragmented(World.User me) {
        byte[] all = encode(valid(j.any("ping", "sync", "send"), me)).getBytes(StandardCharsets.UTF_8);
        return new Shot(FRAGMENTED, RawWebSocket.TEXT, all, false, true, 0, all.length, false);
    }

    /** A structurally valid frame of {@code type} for {@code me}, with a fresh correlation id. */
    ObjectNode valid(String type, World.User me) {
        ObjectNode o = F.objectNode().put("t", type);
        if (!type.equals("delivered") && !type.equals("read") && !type.equals("typing") || j.chance(0.5)) {
            o.put("id", "f" + (++ids));
        }
        String conv = j.any(me.conversations());
        switch (type) {
            case "hello" -> o.put("token", me.token()).put("protocol", 1);
            case "send" -> {
                o.put("conversationId", conv).put("clientMsgId", "c" + j.r.nextLong(Long.MAX_VALUE))
                        .put("body", j.chance(0.7) ? "fuzz " + ids : j.unicode(1 + j.pick(60)));
                if (j.chance(0.2)) {
                    o.put("replyTo", 1 + j.pick(40));
                }
                if (j.chance(0.1)) {
                    o.put("kind", j.any("text", "media"));
                }
                if (j.chance(0.05)) {
                    o.set("attachments", F.arrayNode().add(j.unknownId("med")));
                }
            }
            case "read", "delivered" -> o.put("conversationId", conv).put("seq", j.pick(80));
            case "typing" -> o.put("conversationId", conv).put("state", j.any("start", "stop"));
            case "react" -> {
                o.put("conversationId", conv).put("target", 1 + j.pick(60)).put("emoji", j.any(EMOJI));
                if (j.chance(0.7)) {
                    o.put("on", j.r.nextBoolean());
                }
            }
            case "edit" -> o.put("conversationId", conv).put("target", 1 + j.pick(60)).put("body", "edited " + ids);
            case "delete" -> o.put("conversationId", conv).put("target", 1 + j.pick(60));
            case "sync" -> {
                o.put("conversationId", conv).put("afterSeq", j.pick(80));
                if (j.chance(0.6)) {
                    o.put("limit", 1 + j.pick(j.chance(0.1) ? 1000 : 50));
                }
            }
            default -> {
                // ping: t and id only
            }
        }
        return o;
    }

    static String encode(ObjectNode o) {
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
