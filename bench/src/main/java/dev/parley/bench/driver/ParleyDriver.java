package dev.parley.bench.driver;

import dev.parley.protocol.Uuid7;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Speaks Parley's WebSocket protocol: {@code hello} → {@code welcome}, {@code send} → {@code sent},
 * live {@code message} frames, and {@code sync} pages to catch up. Accounts and conversations are made
 * over HTTP by {@link ParleySetup}.
 *
 * <p>Incoming frames are scanned without building a tree: the load generator must not be the
 * bottleneck at tens of thousands of deliveries a second.
 */
public final class ParleyDriver implements Driver {
    private static final int SYNC_LIMIT = 500;
    private static final String BODY = "\"body\":\"";

    private final Vertx vertx;
    private final URI base;
    private final ParleySetup setup;
    private final Map<String, WebSocketClient> clients = new ConcurrentHashMap<>();
    private volatile ParleySetup.Fixture fixture;

    /**
     * @param base     the server's base URL ({@code http://127.0.0.1:8080})
     * @param cacheDir where prepared accounts may be cached between runs against the same data, or null
     */
    public ParleyDriver(Vertx vertx, URI base, Path cacheDir) {
        this.vertx = vertx;
        this.base = base;
        this.setup = new ParleySetup(base, cacheDir);
    }

    @Override
    public String name() {
        return "parley";
    }

    @Override
    public void prepare(Topology topology) throws Exception {
        fixture = setup.prepare(topology);
    }

    /** The accounts and conversations made by {@link #prepare}. */
    public ParleySetup.Fixture fixture() {
        return fixture;
    }

    @Override
    public boolean echoesToSender() {
        return true;
    }

    @Override
    public Future<DriverConnection> connect(ClientSpec spec, Listener listener) {
        ParleySetup.Fixture f = fixture;
        if (f == null) {
            return Future.failedFuture(new IllegalStateException("prepare() first"));
        }
        ParleySetup.User user = f.users().get(spec.member());
        String conversationId = f.conversations().get(spec.member() / f.membersPerGroup());
        WebSocketClient client = clients.computeIfAbsent(spec.localAddress() == null ? "" : spec.localAddress(), addr -> {
            WebSocketClientOptions o = new WebSocketClientOptions()
                    .setMaxConnections(Integer.MAX_VALUE / 2)
                    .setConnectTimeout(60_000)
                    .setTcpNoDelay(true)
                    .setMaxFrameSize(1 << 20)
                    .setMaxMessageSize(16 << 20);
            if (!addr.isEmpty()) {
                o.setLocalAddress(addr);
            }
            return vertx.createWebSocketClient(o);
        });
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(base.getHost()).setPort(base.getPort()).setURI("/v1/ws").setTimeout(60_000);
        Promise<DriverConnection> ready = Promise.promise();
        client.connect(options).onFailure(ready::tryFail).onSuccess(ws -> {
            ParleyConnection c = new ParleyConnection(ws, Vertx.currentContext(), conversationId, listener, ready);
            ws.textMessageHandler(c::onFrame);
            ws.closeHandler(v -> c.onClose());
            ws.exceptionHandler(e -> listener.onError("socket: " + e.getMessage()));
            ws.writeTextMessage("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + user.token() + "\"}");
        });
        return ready.future();
    }

    @Override
    public void close() {
        clients.values().forEach(WebSocketClient::close);
        clients.clear();
    }

    private final class ParleyConnection implements DriverConnection {
        private final WebSocket ws;
        private final Context context;
        private final String conversationId;
        private final Listener listener;
        private final Promise<DriverConnection> ready;
        private final String sendPrefix;
        private long lastSeq;

        ParleyConnection(WebSocket ws, Context context, String conversationId, Listener listener,
                         Promise<DriverConnection> ready) {
            this.ws = ws;
            this.context = context;
            this.conversationId = conversationId;
            this.listener = listener;
            this.ready = ready;
            this.sendPrefix = "\",\"conversationId\":\"" + conversationId + "\",\"clientMsgId\":\"";
        }

        @Override
        public Context context() {
            return context;
        }

        @Override
        public void send(String body, long token) {
            // The body is made by the bench from digits, dots and 'x': nothing to escape. The clientMsgId is a
            // time-ordered UUID as every Parley client sends (Uuid7), so the server's idempotency index sees
            // what it sees from real clients.
            String frame = "{\"t\":\"send\",\"id\":\"" + token + sendPrefix + Uuid7.next() + "\",\"body\":\""
                    + body + "\"}";
            ws.writeTextMessage(frame).onFailure(e -> listener.onError("write failed: " + e.getMessage()));
        }

        @Override
        public void catchUp(long afterSeq) {
            ws.writeTextMessage("{\"t\":\"sync\",\"id\":\"s" + afterSeq + "\",\"conversationId\":\"" + conversationId
                    + "\",\"afterSeq\":" + afterSeq + ",\"limit\":" + SYNC_LIMIT + "}");
        }

        @Override
        public long lastSeq() {
            return lastSeq;
        }

        @Override
        public Future<Void> close() {
            return ws.close();
        }

        void onClose() {
            if (!ready.tryFail("closed before welcome")) {
                listener.onClosed();
            }
        }

        void onFrame(String frame) {
            long now = System.nanoTime();
            String type = stringField(frame, "\"t\":\"");
            if (type == null) {
                listener.onError("frame without t");
                return;
            }
            switch (type) {
                case "message" -> {
                    long seq = longField(frame, "\"seq\":");
                    if (seq > lastSeq) {
                        lastSeq = seq;
                    }
                    String body = stringField(frame, BODY);
                    if (body != null) {
                        listener.onMessage(body, now);
                    }
                }
                case "sent" -> {
                    String id = stringField(frame, "\"id\":\"");
                    try {
                        listener.onAck(Long.parseLong(id), now);
                    } catch (NumberFormatException e) {
                        listener.onError("sent with unknown id");
                    }
                }
                case "welcome" -> ready.tryComplete(this);
                case "ok" -> {
                    String id = stringField(frame, "\"id\":\"");
                    if (id != null && id.startsWith("s")) {
                        onSyncPage(frame, now);
                    }
                }
                case "error" -> {
                    String code = stringField(frame, "\"code\":\"");
                    listener.onError("error " + code);
                    if (!ready.future().isComplete()) {
                        ready.tryFail("refused: " + code);
                    }
                }
                default -> {
                    // presence, receipt, conversation, typing, pong: not part of the measured load
                }
            }
        }

        /**
         * A {@code sync} answer: every entry's {@code seq} and {@code body}, scanned in place (bench bodies
         * hold no quotes or escapes), then the next page if {@code hasMore}. A reconnect storm parses
         * millions of entries; building a JSON tree for each page would make the client the bottleneck.
         */
        private void onSyncPage(String frame, long now) {
            int i = 0;
            while ((i = frame.indexOf("\"seq\":", i)) >= 0) {
                long seq = longField(frame.substring(i, Math.min(frame.length(), i + 32)), "\"seq\":");
                if (seq > lastSeq) {
                    lastSeq = seq;
                }
                i += 6;
            }
            int b = 0;
            while ((b = frame.indexOf(BODY, b)) >= 0) {
                int start = b + BODY.length();
                int end = frame.indexOf('"', start);
                if (end < 0) {
                    break;
                }
                listener.onMessage(frame.substring(start, end), now);
                b = end;
            }
            if (frame.contains("\"hasMore\":true")) {
                catchUp(lastSeq);
            }
        }
    }

    /** The string value after {@code key} (which ends with the opening quote), or null. No unescaping. */
    static String stringField(String json, String key) {
        int i = json.indexOf(key);
        if (i < 0) {
            return null;
        }
        int start = i + key.length();
        int end = json.indexOf('"', start);
        return end < 0 ? null : json.substring(start, end);
    }

    /** The non-negative integer after {@code key}, or -1. */
    static long longField(String json, String key) {
        int i = json.indexOf(key);
        if (i < 0) {
            return -1;
        }
        long v = 0;
        boolean any = false;
        for (int p = i + key.length(); p < json.length(); p++) {
            char c = json.charAt(p);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
            any = true;
        }
        return any ? v : -1;
    }
}
