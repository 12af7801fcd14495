package dev.parley.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Uuid7;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A chat client that behaves like an app on a bad network: one device (one token) that keeps an outbox
 * of unacknowledged sends (re-sent with the same {@code clientMsgId} after every reconnect, and on a
 * timer), holds each conversation's entries by {@code seq} (a second copy is dropped and counted),
 * reconnects with jittered backoff whenever its socket dies, and catches up by {@code sync} after every
 * {@code welcome}. It pings when quiet and gives a silent socket up after {@value #DEAD_AFTER_MS} ms.
 */
final class SoakClient implements AutoCloseable {
    static final long DEAD_AFTER_MS = 25_000;
    private static final long RESEND_AFTER_MS = 15_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An entry as this client holds it. */
    record Held(String clientMsgId, String messageId, String senderId) {
    }

    private record Pending(String conversationId, String frame, long firstNanos, AtomicLong lastNanos) {
    }

    final String name;
    final String userId;
    private final String token;
    private final Supplier<URI> entry;
    private final Ledger ledger;
    final List<String> conversations = new ArrayList<>();
    private final Map<String, NavigableMap<Long, Held>> held = new ConcurrentHashMap<>();
    private final Map<String, Pending> outbox = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Object writeLock = new Object();
    /** Sockets lost, by cause. */
    final AtomicInteger forcedDrops = new AtomicInteger();
    final AtomicInteger lostByServer = new AtomicInteger();
    final AtomicInteger deadSockets = new AtomicInteger();
    final AtomicInteger welcomes = new AtomicInteger();
    /** Live copies of entries already held (at-least-once delivery, dropped by seq). */
    final AtomicLong redeliveries = new AtomicLong();
    final AtomicLong resends = new AtomicLong();
    private volatile WebSocket ws;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile long lastPingNanos = System.nanoTime();

    SoakClient(String name, String userId, String token, Supplier<URI> entry, Ledger ledger) {
        this.name = name;
        this.userId = userId;
        this.token = token;
        this.entry = entry;
        this.ledger = ledger;
    }

    String token() {
        return token;
    }

    void follow(String conversationId) {
        conversations.add(conversationId);
        held.put(conversationId, new ConcurrentSkipListMap<>());
    }

    NavigableMap<Long, Held> held(String conversationId) {
        return held.get(conversationId);
    }

    int outboxSize() {
        return outbox.size();
    }

    boolean connected() {
        return connected;
    }

    // ---- connection --------------------------------------------------------------------------

    /** Starts connecting in the background (no-op while a connect is under way). */
    void connectSoon(long delayMs) {
        if (closed || !connecting.compareAndSet(false, true)) {
            return;
        }
        background.execute(() -> {
            try {
                Thread.sleep(delayMs);
                int attempt = 0;
                while (!closed) {
                    try {
                        connectOnce();
                        return;
                    } catch (Exception e) {
                        connected = false;
                        abortQuietly();
                        attempt++;
                        Thread.sleep(ThreadLocalRandom.current().nextLong(50, Math.min(3_000, 100L << Math.min(attempt, 5))));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                connecting.set(false);
            }
        });
    }

    private void connectOnce() throws Exception {
        int gen = generation.incrementAndGet();
        URI base = entry.get();
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/v1/ws");
        CompletableFuture<JsonNode> welcome = new CompletableFuture<>();
        answers.put("hello", welcome);
        ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, new Listener(gen))
                .get(10, TimeUnit.SECONDS);
        lastFrameNanos = System.nanoTime();
        write(Json.mapper().createObjectNode().put("t", "hello").put("id", "hello").put("token", token).toString());
        JsonNode w = welcome.get(10, TimeUnit.SECONDS);
        if (!"welcome".equals(w.path("t").asText())) {
            throw new IOException("hello refused: " + w);
        }
        welcomes.incrementAndGet();
        connected = true;
        for (String c : conversations) {
            catchUp(c);
        }
        List<Map.Entry<String, Pending>> pending = new ArrayList<>(outbox.entrySet());
        pending.sort(Comparator.comparingLong(e -> e.getValue().firstNanos()));
        for (Map.Entry<String, Pending> p : pending) {
            resend(p.getValue());
        }
    }

    /** Cuts the socket as a network failure would, and stays offline for {@code offlineMs}. */
    void drop(long offlineMs) {
        if (!connected) {
            return;
        }
        forcedDrops.incrementAndGet();
        generation.incrementAndGet(); // the old socket's callbacks no longer count
        connected = false;
        abortQuietly();
        connectSoon(offlineMs);
    }

    /** Called by the timer: ping when quiet, give up a silent socket, resend old outbox entries. */
    void tick() {
        if (!connected) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastFrameNanos > TimeUnit.MILLISECONDS.toNanos(DEAD_AFTER_MS)) {
            deadSockets.incrementAndGet();
            lost(generation.get());
            return;
        }
        if (now - lastPingNanos > 10_000_000_000L) {
            lastPingNanos = now;
            tryWrite("{\"t\":\"ping\",\"id\":\"p" + ids.incrementAndGet() + "\"}");
        }
        for (Pending p : outbox.values()) {
            if (now - p.lastNanos().get() > TimeUnit.MILLISECONDS.toNanos(RESEND_AFTER_MS)) {
                resend(p);
            }
        }
    }

    private void lost(int gen) {
        if (closed || !generation.compareAndSet(gen, gen + 1)) {
            return;
        }
        connected = false;
        abortQuietly();
        connectSoon(ThreadLocalRandom.current().nextLong(50, 500));
    }

    private void abortQuietly() {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
    }

    // ---- sending -------------------------------------------------------------------------------

    /** Queues a text in {@code conversationId} and writes it if connected. */
    void send(String conversationId) {
        long now = System.nanoTime();
        String cmid = Uuid7.next(); // time-ordered, as every Parley client sends; resends reuse the frame
        ObjectNode f = Json.mapper().createObjectNode().put("t", "send").put("id", "s:" + cmid)
                .put("conversationId", conversationId).put("clientMsgId", cmid).put("body", "soak " + now + " " + cmid);
        Pending p = new Pending(conversationId, f.toString(), now, new AtomicLong(now));
        outbox.put(cmid, p);
        ledger.sends.incrementAndGet();
        if (connected) {
            tryWrite(p.frame());
        }
    }

    private void resend(Pending p) {
        p.lastNanos().set(System.nanoTime());
        resends.incrementAndGet();
        tryWrite(p.frame());
    }

    private void tryWrite(String frame) {
        try {
            write(frame);
        } catch (Exception e) {
            lost(generation.get());
        }
    }

    private void write(String frame) throws Exception {
        synchronized (writeLock) {
            WebSocket w = ws;
            if (w == null || closed) {
                throw new IOException("not connected");
            }
            w.sendText(frame, true).get(10, TimeUnit.SECONDS);
        }
    }

    private JsonNode request(ObjectNode frame) throws Exception {
        String id = "r" + ids.incrementAndGet();
        frame.put("id", id);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        answers.put(id, answer);
        try {
            write(frame.toString());
            return answer.get(15, TimeUnit.SECONDS);
        } finally {
            answers.remove(id);
        }
    }

    /** Highest seq up to which this client holds every entry. */
    long contiguous(String conversationId) {
        long s = 0;
        for (long k : held.get(conversationId).keySet()) {
            if (k != s + 1) {
                break;
            }
            s = k;
        }
        return s;
    }

    /** Syncs {@code conversationId} page by page from what is held contiguously. */
    void catchUp(String conversationId) throws Exception {
        while (true) {
            JsonNode ok = request(Json.mapper().createObjectNode().put("t", "sync").put("conversationId", conversationId)
                    .put("afterSeq", contiguous(conversationId)).put("limit", 500));
            if (!"ok".equals(ok.path("t").asText())) {
                throw new IOException("sync refused: " + ok);
            }
            for (JsonNode m : ok.path("messages")) {
                hold(m, false, 0);
            }
            if (!ok.path("hasMore").asBoolean(false)) {
                return;
            }
        }
    }

    private void hold(JsonNode m, boolean live, long now) {
        String c = m.path("conversationId").asText();
        NavigableMap<Long, Held> h = held.get(c);
        if (h == null) {
            return;
        }
        long seq = m.path("seq").asLong();
        Held entry = new Held(m.path("clientMsgId").asText(null), m.path("messageId").asText(), m.path("senderId").asText());
        if (h.putIfAbsent(seq, entry) != null) {
            if (live) {
                redeliveries.incrementAndGet();
            }
            return;
        }
        if (live && !userId.equals(entry.senderId())) {
            String[] body = m.path("body").asText("").split(" ");
            if (body.length >= 2 && body[0].equals("soak")) {
                try {
                    Ledger.record(ledger.deliveryLatency, now - Long.parseLong(body[1]));
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        }
    }

    private void onFrame(JsonNode f) {
        long now = System.nanoTime();
        lastFrameNanos = now;
        switch (f.path("t").asText()) {
            case "message" -> hold(f, true, now);
            case "sent" -> {
                String cmid = f.path("clientMsgId").asText();
                Pending p = outbox.remove(cmid);
                boolean first = ledger.ack(cmid, f.path("conversationId").asText(), f.path("seq").asLong(), userId);
                if (p != null && first) {
                    Ledger.record(ledger.ackLatency, now - p.firstNanos());
                }
            }
            case "welcome" -> complete("hello", f);
            case "error" -> {
                ledger.error(f.path("code").asText());
                String id = f.path("id").asText("");
                if (!id.startsWith("s:")) { // a failed send stays in the outbox and is sent again later
                    complete(id, f);
                }
            }
            case "ok", "pong" -> complete(f.path("id").asText(""), f);
            default -> {
                // receipts, presence, typing, conversation frames: not checked here
            }
        }
    }

    private void complete(String id, JsonNode f) {
        CompletableFuture<JsonNode> a = answers.remove(id);
        if (a != null) {
            a.complete(f);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final int gen;
        private final StringBuilder partial = new StringBuilder();

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (gen == generation.get()) {
                    try {
                        onFrame(Json.mapper().readTree(text));
                    } catch (IOException e) {
                        ledger.error("unreadable frame");
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            gone();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            gone();
        }

        private void gone() {
            if (gen == generation.get() && connected) {
                lostByServer.incrementAndGet();
            }
            lost(gen);
        }
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
        abortQuietly();
        background.shutdownNow();
    }
}
