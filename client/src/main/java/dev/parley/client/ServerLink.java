package dev.parley.client;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.Json;
import dev.parley.protocol.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One WebSocket session: opened, authenticated with {@code hello}, used until it closes or is aborted, then
 * thrown away (a reconnect makes a new one). The JDK WebSocket allows one outstanding send at a time, so
 * sends are chained. Inbound text is handed, undecoded, to {@code inbound} and nothing else happens on the
 * network thread. Answers to requests are matched by {@code id} through {@link #complete}.
 */
final class ServerLink implements RequestLink {
    /** Why a session ended. */
    record Closed(int code, String reason) {
    }

    private final AtomicLong nextId;
    private final BiConsumer<ServerLink, String> inbound;
    private final Map<String, CompletableFuture<ServerFrame>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Object sendLock = new Object();
    private CompletableFuture<WebSocket> sendChain;
    private volatile WebSocket ws;
    private volatile long lastInboundNanos = System.nanoTime();

    ServerLink(AtomicLong nextId, BiConsumer<ServerLink, String> inbound) {
        this.nextId = nextId;
        this.inbound = inbound;
    }

    /** Opens the socket; completes with the open socket or fails within {@code timeout}. */
    CompletableFuture<ServerLink> open(HttpClient http, URI wsUri, Duration timeout) {
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .connectTimeout(timeout)
                .buildAsync(wsUri, new Listener());
        // A handshake that finishes after we gave up must not leave a socket behind.
        opening.whenComplete((socket, err) -> {
            if (socket != null && ended.get()) {
                socket.abort();
            }
        });
        return opening.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(socket -> {
            ws = socket;
            synchronized (sendLock) {
                sendChain = CompletableFuture.completedFuture(socket);
            }
            lastInboundNanos = System.nanoTime();
            return this;
        }).whenComplete((c, err) -> {
            if (err != null) {
                end(new Closed(-1, "connect failed: " + rootMessage(err)));
            }
        });
    }

    /** A fresh request id. */
    @Override
    public String newId() {
        return Long.toString(nextId.incrementAndGet(), 36);
    }

    /** Sends a frame that expects no answer. Failures surface as the connection closing. */
    void send(ClientFrame frame) {
        write(Json.encode(frame));
    }

    /**
     * Sends a frame carrying an {@code id} and returns its answer ({@code ok}, {@code sent}, {@code pong} or
     * {@code error}); fails if the connection ends first or no answer comes within {@code timeout}.
     */
    @Override
    public CompletableFuture<ServerFrame> request(ClientFrame frame, Duration timeout) {
        CompletableFuture<ServerFrame> answer = new CompletableFuture<>();
        pending.put(frame.id(), answer);
        if (ended.get()) {
            pending.remove(frame.id());
            answer.completeExceptionally(new ParleyException(dev.parley.protocol.ErrorCode.UNAVAILABLE, "offline"));
            return answer;
        }
        write(Json.encode(frame));
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((f, e) -> pending.remove(frame.id()));
    }

    /** Completes the request with this id, if one waits; called by the frame processor. */
    boolean complete(String id, ServerFrame answer) {
        CompletableFuture<ServerFrame> f = id == null ? null : pending.remove(id);
        return f != null && f.complete(answer);
    }

    private void write(String text) {
        synchronized (sendLock) {
            if (sendChain == null || ended.get()) {
                return;
            }
            sendChain = sendChain.thenCompose(socket -> socket.sendText(text, true));
            sendChain.whenComplete((s, err) -> {
                if (err != null) {
                    abort("send failed: " + rootMessage(err));
                }
            });
        }
    }

    /** Nanotime of the last frame received (any frame proves the socket alive). */
    long lastInboundNanos() {
        return lastInboundNanos;
    }

    /** Completes when the session ends, whatever the cause. */
    CompletableFuture<Closed> closed() {
        return closed;
    }

    @Override
    public boolean isOpen() {
        return !ended.get();
    }

    /** Ends the session at once (no close handshake): for dead or suspect connections. */
    @Override
    public void abort(String reason) {
        WebSocket socket = ws;
        end(new Closed(-1, reason));
        if (socket != null) {
            socket.abort();
        }
    }

    /** Ends the session politely. */
    void close() {
        WebSocket socket = ws;
        end(new Closed(WebSocket.NORMAL_CLOSURE, "closed by client"));
        if (socket != null) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(1, TimeUnit.SECONDS)
                    .whenComplete((s, e) -> socket.abort());
        }
    }

    private void end(Closed why) {
        if (ended.compareAndSet(false, true)) {
            ParleyException gone = new ParleyException(dev.parley.protocol.ErrorCode.UNAVAILABLE,
                    "connection lost: " + why.reason());
            pending.values().forEach(f -> f.completeExceptionally(gone));
            pending.clear();
            closed.complete(why);
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastInboundNanos = System.nanoTime();
            if (!last) {
                partial.append(data);
            } else if (partial.isEmpty()) {
                inbound.accept(ServerLink.this, data.toString());
            } else {
                partial.append(data);
                String text = partial.toString();
                partial.setLength(0);
                inbound.accept(ServerLink.this, text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            lastInboundNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            lastInboundNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            lastInboundNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            end(new Closed(statusCode, reason == null || reason.isEmpty() ? "closed by server (" + statusCode + ")" : reason));
            webSocket.abort();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            end(new Closed(-1, rootMessage(error)));
        }
    }
}
