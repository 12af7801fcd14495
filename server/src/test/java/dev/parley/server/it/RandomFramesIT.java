package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever a client sends, the server answers with typed errors, keeps the socket usable,
 * never leaks or changes another conversation and never fails internally. Frames are generated from a
 * seed (printed on failure; rerun with {@code -Dparley.fuzz.seed=<seed>}) over a real socket:
 * garbage text, random JSON, and near-valid frames of every type with fields of random type and value.
 */
class RandomFramesIT {
    private static final int FRAMES = Integer.getInteger("parley.fuzz.frames", 3000);
    private static final List<String> TYPES = List.of("hello", "send", "delivered", "read", "typing", "react",
            "edit", "delete", "sync", "ping", "teleport", "", "SEND");
    private static final List<String> FIELDS = List.of("id", "conversationId", "clientMsgId", "body", "kind",
            "replyTo", "threadRoot", "attachments", "seq", "state", "target", "emoji", "on", "afterSeq", "limit",
            "token", "senderId", "t");
    private static final Set<String> CODES = Arrays.stream(ErrorCode.values()).map(ErrorCode::wire)
            .collect(Collectors.toSet());

    @TempDir
    Path data;

    @Test
    void randomFramesNeverBreakTheServerOrTouchOthersData() {
        long seed = Long.getLong("parley.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        String why = "seed " + seed;
        try (ParleyServer server = TestServers.sqlite(data)) {
            Api api = new Api(server.port());
            var mallory = api.user("mallory");
            var alice = api.user("alice");
            var bob = api.user("bob");
            String own = api.direct(mallory, alice);
            String foreign = api.direct(alice, bob);
            List<String> foreignBodies;
            try (var a = WsClient.connect(server.port(), alice.token())) {
                for (int i = 0; i < 5; i++) {
                    a.call("send", "conversationId", foreign, "clientMsgId", "f" + i, "body", "private " + i);
                }
                a.call("send", "conversationId", own, "clientMsgId", "o1", "body", "hello mallory");
            }
            foreignBodies = bodies(api, alice.token(), foreign);
            List<String> conversationIds = List.of(own, foreign, "cnv_unknown", "", "../../etc/passwd");

            try (var m = WsClient.connect(server.port(), mallory.token())) {
                for (int i = 1; i <= FRAMES; i++) {
                    m.sendRaw(frame(random, conversationIds, mallory.token()));
                    if (i % 250 == 0) {
                        assertThat(m.call("ping").path("t").asText()).as(why + ": socket usable after " + i)
                                .isEqualTo("pong");
                    }
                }
                assertThat(m.call("ping").path("t").asText()).as(why).isEqualTo("pong");
                List<JsonNode> errors = m.drain("error", Duration.ofMillis(200));
                assertThat(errors).as(why).isNotEmpty().allSatisfy(e -> {
                    assertThat(CODES).as(why + ": typed code in " + e).contains(e.path("code").asText());
                    assertThat(e.path("code").asText()).as(why + ": no internal failure: " + e)
                            .isNotEqualTo(ErrorCode.INTERNAL.wire());
                });
                List<JsonNode> messages = m.drain("message", Duration.ZERO);
                assertThat(messages).as(why + ": nothing of the foreign conversation")
                        .allSatisfy(msg -> assertThat(msg.path("conversationId").asText()).isEqualTo(own));
            }
            assertThat(bodies(api, alice.token(), foreign)).as(why).isEqualTo(foreignBodies);
            assertThat(api.get("/healthz", null).status()).isEqualTo(200);
            // The log of Mallory's own conversation is still gap-free and readable.
            JsonNode log = api.get("/v1/conversations/" + own + "/messages?limit=500", alice.token()).body();
            long expected = 1;
            for (JsonNode e : log.path("messages")) {
                assertThat(e.path("seq").asLong()).as(why).isEqualTo(expected++);
            }
        }
    }

    private static List<String> bodies(Api api, String token, String conversationId) {
        JsonNode page = api.get("/v1/conversations/" + conversationId + "/messages?limit=500", token).body();
        return java.util.stream.StreamSupport.stream(page.path("messages").spliterator(), false)
                .map(JsonNode::toString).toList();
    }

    private static String frame(Random r, List<String> conversationIds, String token) {
        switch (r.nextInt(10)) {
            case 0 -> {
                byte[] bytes = new byte[r.nextInt(64)];
                r.nextBytes(bytes);
                return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            case 1 -> {
                return randomJson(r, 0).toString();
            }
            default -> {
                ObjectNode f = JsonNodeFactory.instance.objectNode();
                f.put("t", TYPES.get(r.nextInt(TYPES.size())));
                int fields = r.nextInt(7);
                for (int i = 0; i < fields; i++) {
                    String name = FIELDS.get(r.nextInt(FIELDS.size()));
                    f.set(name, plausible(r, name, conversationIds, token));
                }
                return f.toString();
            }
        }
    }

    private static JsonNode plausible(Random r, String field, List<String> conversationIds, String token) {
        var n = JsonNodeFactory.instance;
        if (r.nextInt(4) == 0) {
            return randomJson(r, 1);
        }
        return switch (field) {
            case "conversationId" -> n.textNode(conversationIds.get(r.nextInt(conversationIds.size())));
            case "seq", "target", "afterSeq", "replyTo", "threadRoot", "limit" -> n.numberNode(
                    switch (r.nextInt(5)) {
                        case 0 -> -r.nextInt(10);
                        case 1 -> Long.MAX_VALUE;
                        case 2 -> 0;
                        default -> r.nextInt(20);
                    });
            case "on" -> n.booleanNode(r.nextBoolean());
            case "state" -> n.textNode(r.nextBoolean() ? "start" : "stop");
            case "kind" -> n.textNode(List.of("text", "media", "edit", "system", "x").get(r.nextInt(5)));
            case "token" -> n.textNode(r.nextBoolean() ? token : "pt_forged");
            case "attachments" -> n.arrayNode().add("med_" + r.nextInt(5));
            default -> n.textNode(randomText(r));
        };
    }

    private static JsonNode randomJson(Random r, int depth) {
        var n = JsonNodeFactory.instance;
        int pick = depth > 3 ? r.nextInt(4) : r.nextInt(6);
        return switch (pick) {
            case 0 -> n.textNode(randomText(r));
            case 1 -> n.numberNode(r.nextLong());
            case 2 -> n.booleanNode(r.nextBoolean());
            case 3 -> n.nullNode();
            case 4 -> {
                ArrayNode a = n.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(randomJson(r, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = n.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set(randomText(r), randomJson(r, depth + 1));
                }
                yield o;
            }
        };
    }

    private static String randomText(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(12); i > 0; i--) {
            b.appendCodePoint(r.nextInt(4) == 0 ? 0x1F600 + r.nextInt(50) : 32 + r.nextInt(95));
        }
        return b.toString();
    }
}
