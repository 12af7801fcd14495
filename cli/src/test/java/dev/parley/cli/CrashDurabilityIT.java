package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 durability: pipeline 500 sends, SIGKILL the node while acks are still arriving, restart it
 * on the same data, and check that every acknowledged message survived exactly once with a gap-free
 * log; then resend the unacknowledged ones with the same clientMsgIds and check nothing doubled.
 */
class CrashDurabilityIT {
    private static final int SENDS = 500;
    private static final int KILL_AFTER_ACKS = 350;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void ackedSendsSurviveKillMinusNineOnSqlite() throws Exception {
        run(Map.of());
    }

    @Test
    void ackedSendsSurviveKillMinusNineOnPostgres() throws Exception {
        String base = System.getenv().getOrDefault("PARLEY_TEST_PG_URL",
                "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        String schema = "crash_" + Long.toString(System.nanoTime(), 36);
        try (var c = DriverManager.getConnection(base)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("PostgreSQL is required in CI but unreachable at " + base, e);
            }
            assumeTrue(false, "PostgreSQL unreachable at " + base + "; skipping (" + e.getMessage() + ")");
        }
        try {
            run(Map.of("PARLEY_STORE_URL", base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema));
        } finally {
            try (var c = DriverManager.getConnection(base)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private void run(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("PARLEY_SEND_RATE", "0");
        int port = NodeProcess.freePort();
        String token;
        String conversation;
        Map<String, Long> acked = new ConcurrentHashMap<>();
        try (NodeProcess node = NodeProcess.start(data, port, env)) {
            String base = "http://127.0.0.1:" + port;
            post(base + "/v1/accounts", null, "{\"handle\":\"writer\",\"password\":\"writer-password\"}");
            post(base + "/v1/accounts", null, "{\"handle\":\"reader\",\"password\":\"reader-password\"}");
            JsonNode session = post(base + "/v1/sessions", null, "{\"handle\":\"writer\",\"password\":\"writer-password\"}");
            token = session.path("token").asText();
            JsonNode reader = post(base + "/v1/sessions", null, "{\"handle\":\"reader\",\"password\":\"reader-password\"}");
            conversation = post(base + "/v1/conversations", token, "{\"kind\":\"direct\",\"members\":[\""
                    + reader.path("userId").asText() + "\"]}").path("conversationId").asText();

            CountDownLatch enough = new CountDownLatch(KILL_AFTER_ACKS);
            WebSocket ws = connect(port, token, frame -> {
                if ("sent".equals(frame.path("t").asText())) {
                    acked.put(frame.path("clientMsgId").asText(), frame.path("seq").asLong());
                    enough.countDown();
                }
            });
            for (int i = 0; i < SENDS; i++) {
                ws.sendText("{\"t\":\"send\",\"id\":\"" + i + "\",\"conversationId\":\"" + conversation
                        + "\",\"clientMsgId\":\"c" + i + "\",\"body\":\"message " + i + "\"}", true).join();
            }
            assertThat(enough.await(60, TimeUnit.SECONDS)).as("acks arrived").isTrue();
            node.kill();
        }
        Map<String, Long> ackedAtKill = Map.copyOf(acked);
        assertThat(ackedAtKill.size()).isGreaterThanOrEqualTo(KILL_AFTER_ACKS);

        try (NodeProcess node = NodeProcess.start(data, port, env)) {
            List<JsonNode> log = history(port, token, conversation);
            Map<String, Long> stored = new HashMap<>();
            long expectedSeq = 1;
            for (JsonNode m : log) {
                assertThat(m.path("seq").asLong()).as("gap-free seq").isEqualTo(expectedSeq++);
                assertThat(stored.put(m.path("clientMsgId").asText(), m.path("seq").asLong()))
                        .as("no duplicate of " + m.path("clientMsgId").asText()).isNull();
            }
            ackedAtKill.forEach((clientMsgId, seq) ->
                    assertThat(stored).as("acked " + clientMsgId + " survived").containsEntry(clientMsgId, seq));

            // The client retries everything it has no ack for, with the same ids: no duplicates appear.
            CountDownLatch all = new CountDownLatch(SENDS);
            Set<String> resent = ConcurrentHashMap.newKeySet();
            WebSocket ws = connect(port, token, frame -> {
                if ("sent".equals(frame.path("t").asText()) && resent.add(frame.path("clientMsgId").asText())) {
                    all.countDown();
                }
            });
            for (int i = 0; i < SENDS; i++) {
                ws.sendText("{\"t\":\"send\",\"id\":\"r" + i + "\",\"conversationId\":\"" + conversation
                        + "\",\"clientMsgId\":\"c" + i + "\",\"body\":\"message " + i + "\"}", true).join();
            }
            assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
            List<JsonNode> finalLog = history(port, token, conversation);
            assertThat(finalLog).hasSize(SENDS);
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < finalLog.size(); i++) {
                assertThat(finalLog.get(i).path("seq").asLong()).isEqualTo(i + 1);
                ids.add(finalLog.get(i).path("clientMsgId").asText());
            }
            assertThat(ids).hasSize(SENDS);
            assertThat(node.stop()).as("clean exit on SIGTERM").isIn(0, 143);
        }
    }

    private static List<JsonNode> history(int port, String token, String conversation) throws Exception {
        List<JsonNode> all = new java.util.ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = get("http://127.0.0.1:" + port + "/v1/conversations/" + conversation
                    + "/messages?after=" + after + "&limit=200", token);
            page.path("messages").forEach(all::add);
            if (!page.path("hasMore").asBoolean()) {
                return all;
            }
            after = all.getLast().path("seq").asLong();
        }
    }

    private static WebSocket connect(int port, String token, java.util.function.Consumer<JsonNode> onFrame) {
        CompletableFuture<Void> welcomed = new CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/ws"),
                new WebSocket.Listener() {
                    private final StringBuilder buf = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence d, boolean last) {
                        buf.append(d);
                        if (last) {
                            try {
                                JsonNode f = Json.mapper().readTree(buf.toString());
                                if ("welcome".equals(f.path("t").asText())) {
                                    welcomed.complete(null);
                                }
                                onFrame.accept(f);
                            } catch (Exception e) {
                                welcomed.completeExceptionally(e);
                            }
                            buf.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).join();
        ws.sendText("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + token + "\"}", true).join();
        welcomed.orTimeout(10, TimeUnit.SECONDS).join();
        return ws;
    }

    private static JsonNode post(String url, String token, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " -> " + r.body()).isBetween(200, 201);
        return Json.mapper().readTree(r.body());
    }

    private static JsonNode get(String url, String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " -> " + r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }
}
