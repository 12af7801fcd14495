package dev.parley.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw WebSocket test client over the JDK's {@link WebSocket}: records every frame the server sends
 * (as JSON trees) and the close code, and waits for frames matching a predicate.
 */
public final class WsClient implements AutoCloseable {
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket ws;
    private int nextId = 1;

    private WsClient(URI uri, String origin) {
        var builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            builder.header("Origin", origin);
        }
        ws = builder.buildAsync(uri, new Listener()).join();
    }

    /** Opens a socket without saying hello. */
    public static WsClient open(int port) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/v1/ws"), null);
    }

    /** Opens a socket with a browser-style {@code Origin} header. */
    public static WsClient openWithOrigin(int port, String origin) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/v1/ws"), origin);
    }

    /** Opens a socket and completes the hello handshake. */
    public static WsClient connect(int port, String token) {
        WsClient c = open(port);
        c.sendRaw("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + token + "\"}");
        JsonNode welcome = c.await(f -> "welcome".equals(f.path("t").asText()) || "error".equals(f.path("t").asText()));
        if (!"welcome".equals(welcome.path("t").asText())) {
            throw new AssertionError("no welcome: " + welcome);
        }
        return c;
    }

    public String newId() {
        return "r" + (nextId++);
    }

    public void sendRaw(String text) {
        ws.sendText(text, true).join();
    }

    /** Sends a frame built from alternating key/value pairs and returns its id. */
    public String request(String type, Object... kv) {
        var node = Json.mapper().createObjectNode();
        node.put("t", type);
        String id = newId();
        node.put("id", id);
        for (int i = 0; i < kv.length; i += 2) {
            node.set((String) kv[i], Json.mapper().valueToTree(kv[i + 1]));
        }
        sendRaw(node.toString());
        return id;
    }

    /** Sends a frame and waits for the answer with the same id. */
    public JsonNode call(String type, Object... kv) {
        String id = request(type, kv);
        return await(f -> id.equals(f.path("id").asText(null)));
    }

    /** Waits up to 10 s for a frame (new or already received but not yet consumed) matching the predicate. */
    public JsonNode await(Predicate<JsonNode> match) {
        return await(match, Duration.ofSeconds(10));
    }

    public synchronized JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        for (int i = 0; i < seen.size(); i++) {
            if (match.test(seen.get(i))) {
                return seen.remove(i);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode f = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new AssertionError("no matching frame within " + timeout + "; unconsumed: " + seen);
                }
                if (match.test(f)) {
                    return f;
                }
                seen.add(f);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Frames of a type received so far or within {@code wait}, without consuming others. */
    public synchronized List<JsonNode> drain(String type, Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inbox.drainTo(seen);
        List<JsonNode> out = seen.stream().filter(f -> type.equals(f.path("t").asText())).toList();
        seen.removeAll(out);
        return out;
    }

    /** The close code the server sent, waiting up to 10 s. */
    public int awaitClose() {
        try {
            return closed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("socket was not closed by the server", e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                ws.abort();
            }
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    inbox.add(Json.mapper().readTree(partial.toString()));
                } catch (Exception e) {
                    inbox.add(Json.mapper().createObjectNode().put("t", "unparseable").put("raw", partial.toString()));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
