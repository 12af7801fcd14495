package dev.parley.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Sets up what a scenario needs without a browser, over the same public HTTP API and WebSocket
 * the web client uses: accounts for bystanders, and a long history for scroll-back.
 */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    ApiClient(String base) {
        this.base = base;
    }

    record Session(String token, String userId, String deviceId) {
        Session(String token, String userId) {
            this(token, userId, null);
        }
    }

    Session signUpAndIn(String handle, String displayName, String password) throws Exception {
        post("/v1/accounts", null, Map.of("handle", handle, "displayName", displayName, "password", password));
        JsonNode s = post("/v1/sessions", null, Map.of("handle", handle, "password", password, "deviceName", "test"));
        return new Session(s.get("token").asText(), s.get("userId").asText(), s.path("deviceId").asText());
    }

    /** A new session (so a new device) of an existing account. */
    Session signIn(String handle, String password) throws Exception {
        JsonNode s = post("/v1/sessions", null, Map.of("handle", handle, "password", password, "deviceName", "test"));
        return new Session(s.get("token").asText(), s.get("userId").asText(), s.path("deviceId").asText());
    }

    String userId(Session as, String handle) throws Exception {
        return get("/v1/users?handle=" + handle, as).get("userId").asText();
    }

    String createDirect(Session as, String peerUserId) throws Exception {
        return post("/v1/conversations", as, Map.of("kind", "direct", "members", List.of(peerUserId)))
                .get("conversationId").asText();
    }

    JsonNode get(String path, Session as) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + as.token()).GET().build();
        return check(http.send(req, HttpResponse.BodyHandlers.ofString()));
    }

    JsonNode post(String path, Session as, Object body) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (as != null) {
            req.header("Authorization", "Bearer " + as.token());
        }
        return check(http.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static JsonNode check(HttpResponse<String> res) throws Exception {
        if (res.statusCode() >= 300) {
            throw new IllegalStateException(res.request().method() + " " + res.request().uri().getPath() + " -> "
                    + res.statusCode() + " " + res.body());
        }
        return res.body().isEmpty() ? JSON.nullNode() : JSON.readTree(res.body());
    }

    private static void awaitCount(CountDownLatch latch, long remaining, List<String> errors) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (latch.getCount() > remaining) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every message was acknowledged; " + latch.getCount()
                        + " missing; errors: " + errors);
            }
            latch.await(20, TimeUnit.MILLISECONDS);
        }
    }

    /** Sends one frame (its {@code id} is set here) over a new WebSocket and answers the server's reply to it. */
    JsonNode request(Session as, Map<String, Object> frame) throws Exception {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        CountDownLatch welcome = new CountDownLatch(1);
        StringBuilder partial = new StringBuilder();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/v1/ws"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                JsonNode f = JSON.readTree(partial.toString());
                                if (f.path("t").asText().equals("welcome")) {
                                    welcome.countDown();
                                } else if (f.path("id").asText().equals("req")) {
                                    answer.complete(f);
                                }
                            } catch (Exception ignored) {
                                // not JSON: not ours to judge here
                            }
                            partial.setLength(0);
                        }
                        socket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(5, TimeUnit.SECONDS);
        try {
            ws.sendText(JSON.writeValueAsString(Map.of("t", "hello", "id", "h", "token", as.token())), true).get();
            if (!welcome.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no welcome");
            }
            Map<String, Object> withId = new java.util.HashMap<>(frame);
            withId.put("id", "req");
            ws.sendText(JSON.writeValueAsString(withId), true).get();
            return answer.get(30, TimeUnit.SECONDS);
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    /** Sends the bodies in order over a WebSocket and returns once every one is acknowledged with sent. */
    void sendAll(Session as, String conversationId, List<String> bodies) throws Exception {
        CountDownLatch welcome = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(bodies.size());
        StringBuilder partial = new StringBuilder();
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/v1/ws"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                String t = JSON.readTree(partial.toString()).path("t").asText();
                                if (t.equals("welcome")) {
                                    welcome.countDown();
                                } else if (t.equals("sent")) {
                                    sent.countDown();
                                } else if (t.equals("error")) {
                                    errors.add(partial.toString());
                                }
                            } catch (Exception ignored) {
                                // not JSON: not ours to judge here
                            }
                            partial.setLength(0);
                        }
                        socket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText(JSON.writeValueAsString(Map.of("t", "hello", "id", "h", "token", as.token())), true).get();
        if (!welcome.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no welcome");
        }
        // One at a time, each acknowledged before the next, the way a person's device would send.
        int i = 0;
        for (String body : bodies) {
            i++;
            ws.sendText(JSON.writeValueAsString(Map.of("t", "send", "id", "s" + i, "conversationId", conversationId,
                    "clientMsgId", "bulk-" + System.nanoTime() + "-" + i, "body", body)), true).get();
            awaitCount(sent, bodies.size() - i, errors);
        }
        awaitCount(sent, 0, errors);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    }
}
