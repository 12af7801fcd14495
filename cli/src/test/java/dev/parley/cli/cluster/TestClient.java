package dev.parley.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small reconnecting chat client over the real protocol, the way an app behaves: it keeps an outbox
 * of unacknowledged sends (re-sent with the same {@code clientMsgId} after a reconnect, so the server
 * stores each once), keeps per conversation the entries it holds by {@code seq} (a second copy is
 * dropped), catches up by {@code sync} after (re)connecting and, optionally, when it sees a {@code seq}
 * jump. It also records every live arrival, in order, so tests can check delivery itself.
 */
final class TestClient implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String name;
    final String userId;
    private final String token;
    private final URI base;
    /** Where the WebSocket goes (the base itself, or a gateway in a role-split cluster). */
    private final URI wsBase;
    private final boolean reconnect;
    private final boolean syncOnGap;
    private final List<String> conversations = new CopyOnWriteArrayList<>();
    private final Map<String, NavigableMap<Long, JsonNode>> held = new ConcurrentHashMap<>();
    /** Live {@code message} frames in arrival order, per conversation. */
    final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> outbox = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Long>> acks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    /** How long each recovery took: from losing the socket to the next {@code welcome}. */
    final List<Long> recoveryMs = new CopyOnWriteArrayList<>();
    final AtomicInteger disconnects = new AtomicInteger();
    /** The close code of the last socket the server closed (0 if none). */
    volatile int closeCode;
    private final AtomicLong lostAtNanos = new AtomicLong();
    private volatile WebSocket ws;
    private volatile boolean closed;

    private TestClient(String name, String userId, String token, URI base, URI wsBase, boolean reconnect,
                       boolean syncOnGap) {
        this.name = name;
        this.userId = userId;
        this.token = token;
        this.base = base;
        this.wsBase = wsBase;
        this.reconnect = reconnect;
        this.syncOnGap = syncOnGap;
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    static JsonNode http(URI base, String method, String path, String token, Object body) throws IOException,
            InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** The body of a plain GET (no token). */
    static String text(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    String token() {
        return token;
    }

    /** The HTTP status of a request with this client's token, sent to {@code node}. */
    int status(URI node, String method, String path) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(node.resolve(path)).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Signs up and in a new user (through {@code base}) and returns an unconnected client. */
    static TestClient signUp(URI base, String handle, boolean reconnect, boolean syncOnGap) throws Exception {
        return signUp(base, base, handle, reconnect, syncOnGap);
    }

    /** As {@link #signUp(URI, String, boolean, boolean)}, with HTTP through {@code base} and the socket to {@code wsBase}. */
    static TestClient signUp(URI base, URI wsBase, String handle, boolean reconnect, boolean syncOnGap)
            throws Exception {
        String password = "correct-horse-" + handle;
        http(base, "POST", "/v1/accounts", null, Map.of("handle", handle, "password", password));
        JsonNode s = http(base, "POST", "/v1/sessions", null, Map.of("handle", handle, "password", password,
                "deviceName", "test"));
        return new TestClient(handle, s.get("userId").asText(), s.get("token").asText(), base, wsBase, reconnect,
                syncOnGap);
    }

    /** Creates a group with {@code members} (besides the creator) and returns its id. */
    String createGroup(String title, List<TestClient> members) throws Exception {
        JsonNode c = http(base, "POST", "/v1/conversations", token, Map.of("kind", "group", "title", title,
                "members", members.stream().map(m -> m.userId).toList()));
        return c.get("conversationId").asText();
    }

    // ---- WebSocket -----------------------------------------------------------------------------

    /** Connects, says hello, then catches up on every known conversation. */
    void connect() throws Exception {
        URI ws = URI.create(wsBase.toString().replaceFirst("^http", "ws")).resolve("/v1/ws");
        CompletableFuture<JsonNode> welcome = new CompletableFuture<>();
        answers.put("hello", welcome);
        this.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3)).buildAsync(ws, new Listener())
                .get(5, TimeUnit.SECONDS);
        write(JSON.createObjectNode().put("t", "hello").put("id", "hello").put("token", token));
        welcome.get(5, TimeUnit.SECONDS);
        long lost = lostAtNanos.getAndSet(0);
        if (lost != 0) {
            recoveryMs.add((System.nanoTime() - lost) / 1_000_000);
        }
        for (String c : conversations) {
            catchUp(c);
        }
        for (ObjectNode frame : outbox.values()) {
            write(frame);
        }
    }

    /** Tracks a conversation (its entries are kept and synced). */
    void follow(String conversationId) {
        if (!conversations.contains(conversationId)) {
            conversations.add(conversationId);
        }
        held.computeIfAbsent(conversationId, k -> new ConcurrentSkipListMap<>());
    }

    /** Sends a text; the future completes with its {@code seq} once the server answered {@code sent}. */
    CompletableFuture<Long> send(String conversationId, String clientMsgId, String body) {
        ObjectNode frame = JSON.createObjectNode().put("t", "send").put("id", "s-" + ids.incrementAndGet())
                .put("conversationId", conversationId).put("clientMsgId", clientMsgId).put("body", body);
        CompletableFuture<Long> ack = new CompletableFuture<>();
        acks.put(clientMsgId, ack);
        outbox.put(clientMsgId, frame);
        try {
            write(frame);
        } catch (RuntimeException e) {
            // kept in the outbox: sent again after the reconnect
        }
        return ack;
    }

    int outboxSize() {
        return outbox.size();
    }

    /** The entries this client holds for a conversation, by seq. */
    NavigableMap<Long, JsonNode> entries(String conversationId) {
        return held.getOrDefault(conversationId, new ConcurrentSkipListMap<>());
    }

    /** Highest seq such that this client holds every entry up to it. */
    long contiguous(String conversationId) {
        long s = 0;
        for (long k : entries(conversationId).keySet()) {
            if (k != s + 1) {
                break;
            }
            s = k;
        }
        return s;
    }

    private synchronized void write(JsonNode frame) {
        WebSocket w = ws;
        if (w == null || closed) {
            throw new IllegalStateException("not connected");
        }
        try {
            w.sendText(JSON.writeValueAsString(frame), true).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("write failed: " + e, e);
        }
    }

    private JsonNode request(ObjectNode frame) throws Exception {
        String id = "r-" + ids.incrementAndGet();
        frame.put("id", id);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        answers.put(id, answer);
        write(frame);
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** Reads everything after what is held, page by page. */
    void catchUp(String conversationId) throws Exception {
        while (true) {
            JsonNode ok = request(JSON.createObjectNode().put("t", "sync").put("conversationId", conversationId)
                    .put("afterSeq", contiguous(conversationId)).put("limit", 500));
            for (JsonNode m : ok.path("messages")) {
                entries(conversationId).putIfAbsent(m.get("seq").asLong(), m);
            }
            if (!ok.path("hasMore").asBoolean(false)) {
                return;
            }
        }
    }

    private void onFrame(JsonNode f) {
        String t = f.path("t").asText();
        switch (t) {
            case "message" -> {
                String c = f.get("conversationId").asText();
                long seq = f.get("seq").asLong();
                arrivals.computeIfAbsent(c, k -> new CopyOnWriteArrayList<>()).add(seq);
                long before = contiguous(c);
                entries(c).putIfAbsent(seq, f);
                if (syncOnGap && seq > before + 1 && conversations.contains(c)) {
                    background.execute(() -> {
                        try {
                            catchUp(c);
                        } catch (Exception e) {
                            // the next reconnect catches up
                        }
                    });
                }
            }
            case "sent" -> {
                String cmid = f.get("clientMsgId").asText();
                outbox.remove(cmid);
                CompletableFuture<Long> ack = acks.remove(cmid);
                if (ack != null) {
                    ack.complete(f.get("seq").asLong());
                }
            }
            case "welcome" -> complete("hello", f);
            case "ok", "error", "pong" -> {
                if (f.hasNonNull("id")) {
                    complete(f.get("id").asText(), f);
                }
            }
            default -> {
            }
        }
    }

    private void complete(String id, JsonNode f) {
        CompletableFuture<JsonNode> a = answers.remove(id);
        if (a != null) {
            a.complete(f);
        }
    }

    private void lost() {
        ws = null;
        if (closed || !reconnect) {
            return;
        }
        disconnects.incrementAndGet();
        lostAtNanos.compareAndSet(0, System.nanoTime());
        background.execute(() -> {
            while (!closed) {
                try {
                    connect();
                    return;
                } catch (Exception e) {
                    ws = null;
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private boolean gone;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    onFrame(JSON.readTree(text));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            once();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            once();
        }

        private void once() {
            if (!gone) {
                gone = true;
                lost();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
        background.shutdownNow();
    }

    static List<TestClient> all(List<List<TestClient>> groups) {
        List<TestClient> out = new ArrayList<>();
        groups.forEach(out::addAll);
        return out;
    }
}
