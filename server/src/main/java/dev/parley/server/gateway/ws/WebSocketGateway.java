package dev.parley.server.gateway.ws;

import dev.parley.core.AccountService;
import dev.parley.core.Appended;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.TypingTracker;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.ServerFrame;
import dev.parley.server.config.ConnectionConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time channel {@code /v1/ws}: checks the browser {@code Origin} at the handshake, expects a
 * {@code hello} first, then turns client frames into core commands and core events into frames.
 */
public final class WebSocketGateway {
    public static final String PATH = "/v1/ws";
    /** RFC 6455 §7.4.1: a text message that is not valid UTF-8. */
    static final short CLOSE_INVALID_TEXT = 1007;
    private static final Logger log = LoggerFactory.getLogger(WebSocketGateway.class);
    private static final int MAX_PENDING_COMMANDS = 1_000;
    /** Close code for a socket that answered no ping in time (4xxx mirrors HTTP 408 Request Timeout). */
    static final short CLOSE_NO_PONG = 4408;

    private final Vertx vertx;
    private final AccountService accounts;
    private final ChatService chat;
    private final PresenceService presence;
    private final ExecutorService blocking;
    private final IdGenerator ids;
    private final Clock clock;
    private final List<String> allowedOrigins;
    private final int maxFrameBytes;
    private final ConnectionConfig connections;
    private final Fanout fanout;
    private final WatermarkCoalescer watermarks;

    public WebSocketGateway(Vertx vertx, AccountService accounts, ChatService chat, PresenceService presence,
                            EventBus bus, ExecutorService blocking, IdGenerator ids, Clock clock,
                            List<String> allowedOrigins, int maxFrameBytes, ConnectionConfig connections) {
        this.vertx = vertx;
        this.accounts = accounts;
        this.chat = chat;
        this.presence = presence;
        this.blocking = blocking;
        this.ids = ids;
        this.clock = clock;
        this.allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
        this.maxFrameBytes = maxFrameBytes;
        this.connections = connections;
        this.fanout = new Fanout(bus, chat, presence, blocking);
        this.watermarks = new WatermarkCoalescer(chat::markWatermarks, this::later, clock);
    }

    /** Accepts or refuses the upgrade: wrong path → 404, foreign browser origin → 403. */
    public void handshake(ServerWebSocketHandshake handshake) {
        if (!PATH.equals(handshake.path())) {
            handshake.reject(404);
            return;
        }
        String origin = handshake.headers().get("Origin");
        if (origin != null && !originAllowed(origin, handshake.headers().get("Host"))) {
            log.info("websocket refused: origin not allowed");
            handshake.reject(403);
            return;
        }
        handshake.accept();
    }

    boolean originAllowed(String origin, String host) {
        String o = origin.toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains(o) || allowedOrigins.contains("*")) {
            return true;
        }
        try {
            URI uri = URI.create(o);
            if (uri.getHost() == null || host == null) {
                return false;
            }
            int port = uri.getPort() != -1 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
            String h = host.toLowerCase(Locale.ROOT);
            String hostOnly = h.contains(":") && !h.endsWith("]") ? h.substring(0, h.lastIndexOf(':')) : h;
            int hostPort = h.contains(":") && !h.endsWith("]") ? Integer.parseInt(h.substring(h.lastIndexOf(':') + 1))
                    : port;
            return uri.getHost().equals(hostOnly) && port == hostPort;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Serves one accepted socket. Runs on its event loop. */
    public void serve(ServerWebSocket ws) {
        Connection c = new Connection(ids.newId("con"), ws, vertx.getOrCreateContext(), blocking,
                connections.maxQueuedBytesPerSocket());
        long helloTimer = vertx.setTimer(connections.helloTimeoutMs(), t -> {
            if (c.caller() == null) {
                c.close(Protocol.CLOSE_UNAUTHORIZED, "hello expected");
            }
        });
        Liveness liveness = new Liveness(c);
        FrameAssembler assembler = new FrameAssembler(maxFrameBytes, text -> onText(c, text),
                () -> c.reply(ServerFrame.Error.of(null, ErrorCode.BAD_REQUEST,
                        "binary frames are not supported; send JSON text frames")),
                () -> c.close(Protocol.CLOSE_TOO_BIG, "frame over " + maxFrameBytes + " bytes"),
                () -> c.close(CLOSE_INVALID_TEXT, "text frame is not valid UTF-8"));
        ws.frameHandler(frame -> {
            c.heard();
            assembler.handle(frame);
        });
        ws.pongHandler(data -> c.heard());
        ws.exceptionHandler(e -> log.debug("websocket error connection={}: {}", c.id, e.toString()));
        ws.closeHandler(v -> {
            vertx.cancelTimer(helloTimer);
            liveness.stop();
            c.markClosed();
            // Runs after any hello still in the lane, so registration and clean-up never cross.
            c.lane.submit(() -> {
                Caller caller = c.caller();
                if (caller != null) {
                    fanout.unregister(c);
                    presence.disconnected(caller, c.id);
                }
            });
        });
    }

    /**
     * Pings a socket that has been quiet for the ping interval and closes it (4408) if it is still quiet a
     * pong timeout later: a phone that lost its network never sends a TCP close, and without this its user
     * would stay online forever. Any frame counts as a sign of life, so busy sockets are never pinged. One
     * timer per socket, on its event loop.
     */
    private final class Liveness {
        private final Connection c;
        private final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(connections.pingIntervalMs());
        private final long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(connections.pongTimeoutMs());
        private long timer;
        private boolean stopped;

        Liveness(Connection c) {
            this.c = c;
            this.timer = vertx.setTimer(connections.pingIntervalMs(), t -> check());
        }

        private void check() {
            if (stopped || c.isClosed()) {
                return;
            }
            long quiet = System.nanoTime() - c.lastHeardNanos();
            if (quiet >= intervalNanos + timeoutNanos) {
                log.info("closing unresponsive connection={} userId={}", c.id,
                        c.caller() == null ? null : c.caller().userId());
                c.abandon(CLOSE_NO_PONG, "no pong");
                return;
            }
            long next;
            if (quiet >= intervalNanos) {
                c.ws.writePing(Buffer.buffer("p"));
                next = intervalNanos + timeoutNanos - quiet;
            } else {
                next = intervalNanos - quiet;
            }
            timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next)), t -> check());
        }

        void stop() {
            stopped = true;
            vertx.cancelTimer(timer);
        }
    }

    private void onText(Connection c, String text) {
        ClientFrame frame;
        try {
            frame = Json.decodeClientFrame(text);
        } catch (FrameException e) {
            c.reply(ServerFrame.Error.of(e.frameId(), e.code(), e.getMessage()));
            return;
        }
        int pending = c.lane.submit(() -> handle(c, frame));
        if (pending > MAX_PENDING_COMMANDS) {
            // Back-pressure: stop reading until the lane catches up.
            c.ws.pause();
            c.lane.submit(() -> vertx.runOnContext(v -> c.ws.resume()));
        }
    }

    private void handle(Connection c, ClientFrame frame) {
        if (c.isClosed()) {
            return;
        }
        Caller caller = c.caller();
        if (caller == null) {
            if (frame instanceof ClientFrame.Hello hello) {
                hello(c, hello);
            } else {
                c.close(Protocol.CLOSE_UNAUTHORIZED, "hello expected");
            }
            return;
        }
        try {
            switch (frame) {
                case ClientFrame.Hello h -> c.reply(ServerFrame.Error.of(h.id(), ErrorCode.BAD_REQUEST,
                        "already authenticated"));
                case ClientFrame.Send s -> answer(c, s.id(), chat.send(caller, s), a -> new ServerFrame.Sent(s.id(),
                        a.entry().conversationId(), s.clientMsgId(), a.entry().seq(), a.entry().sentAtMs(),
                        a.entry().messageId()));
                case ClientFrame.React r -> answer(c, r.id(), chat.react(caller, r), seqOk(r.id()));
                case ClientFrame.Edit e -> answer(c, e.id(), chat.edit(caller, e), seqOk(e.id()));
                case ClientFrame.Delete d -> answer(c, d.id(), chat.delete(caller, d), seqOk(d.id()));
                // Receipts are merged per connection and conversation before they reach the store.
                case ClientFrame.Delivered d -> {
                    requireMember(caller, d.conversationId());
                    watermarks.delivered(receiptSource(c, caller), d.conversationId(), d.seq(), d.id());
                }
                case ClientFrame.Read r -> {
                    requireMember(caller, r.conversationId());
                    watermarks.read(receiptSource(c, caller), r.conversationId(), r.seq(), r.id());
                }
                case ClientFrame.Typing t -> {
                    // A frame with an id learns it was over budget; one without is deferred (last state wins).
                    chat.typing(caller, t.conversationId(), t.state(),
                            t.id() == null ? TypingTracker.OverBudget.DEFER : TypingTracker.OverBudget.REFUSE);
                    if (t.id() != null) {
                        c.reply(ServerFrame.Ok.of(t.id()));
                    }
                }
                case ClientFrame.Sync s -> {
                    ChatService.Page page = chat.sync(caller, s.conversationId(), s.afterSeq(), s.limit());
                    c.reply(ServerFrame.Ok.ofPage(s.id(), page.messages(), page.hasMore()));
                }
                case ClientFrame.Ping p -> c.reply(new ServerFrame.Pong(p.id(), clock.millis()));
            }
        } catch (RuntimeException e) {
            c.reply(error(frame.id(), e));
        }
    }

    /** A timer for the receipt coalescer; none once Vert.x is closing (the store is closing too). */
    private void later(long delayMs, Runnable task) {
        try {
            vertx.setTimer(Math.max(1, delayMs), t -> task.run());
        } catch (IllegalStateException | RejectedExecutionException closing) {
            log.debug("receipt timer not set: shutting down");
        }
    }

    /** Checked before a receipt is merged, so frames for foreign conversations never hold state. */
    private void requireMember(Caller caller, String conversationId) {
        if (!chat.isMember(conversationId, caller.userId())) {
            throw ChatException.notFound("conversation");
        }
    }

    private static WatermarkCoalescer.Source receiptSource(Connection c, Caller caller) {
        return new WatermarkCoalescer.Source(c.id, caller, c.lane::submit, new WatermarkCoalescer.Answers() {
            @Override
            public void ok(String id) {
                c.reply(ServerFrame.Ok.of(id));
            }

            @Override
            public void failed(String id, Throwable failure) {
                c.reply(error(id, failure));
            }
        });
    }

    private static Function<Appended, ServerFrame> seqOk(String id) {
        return a -> ServerFrame.Ok.ofSeq(id, a.entry().seq());
    }

    private <T> void answer(Connection c, String id, CompletableFuture<T> future, Function<T, ServerFrame> ok) {
        future.whenComplete((value, failure) -> {
            if (failure != null) {
                c.reply(error(id, failure));
            } else {
                ServerFrame frame = ok.apply(value);
                if (frame != null) {
                    c.reply(frame);
                }
            }
        });
    }

    private void hello(Connection c, ClientFrame.Hello hello) {
        Caller caller;
        try {
            caller = accounts.authenticate(hello.token()).orElse(null);
        } catch (RuntimeException e) {
            log.error("authentication failed", e);
            c.close((short) 1011, "server error");
            return;
        }
        if (caller == null) {
            c.close(Protocol.CLOSE_UNAUTHORIZED, "unauthorized");
            return;
        }
        c.authenticated(caller);
        try {
            fanout.register(c, chat.conversationIdsOf(caller.userId()));
            presence.connected(caller, c.id);
            c.reply(new ServerFrame.Welcome(hello.id(), caller.userId(), caller.deviceId(), clock.millis(),
                    maxFrameBytes, Protocol.VERSION));
            for (ServerFrame.Presence p : presence.snapshot(caller.userId())) {
                c.pushPresence(p);
            }
            log.debug("socket ready connection={} userId={} deviceId={}", c.id, caller.userId(), caller.deviceId());
        } catch (RuntimeException e) {
            log.error("socket set-up failed userId={}", caller.userId(), e);
            c.close((short) 1011, "server error");
        }
    }

    private static ServerFrame.Error error(String id, Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof ChatException ce) {
            return new ServerFrame.Error(id, ce.code(), ce.getMessage(),
                    ce.code() == ErrorCode.RATE_LIMITED ? ce.retryAfterMs() : null);
        }
        if (t instanceof FrameException fe) {
            return ServerFrame.Error.of(id, fe.code(), fe.getMessage());
        }
        log.error("command failed", t);
        return ServerFrame.Error.of(id, ErrorCode.INTERNAL, "internal error");
    }

    /**
     * Starts re-checking every open socket's session and conversations against the store every
     * {@code intervalMs} (see {@link SessionAudit}); close the result to stop. Call
     * {@link SessionAudit#runSoon()} on it to audit at once, e.g. when the bus reconnects.
     */
    public SessionAudit startSessionAudit(long intervalMs) {
        SessionAudit audit = new SessionAudit(vertx, fanout, accounts, chat, blocking);
        audit.start(intervalMs);
        return audit;
    }

    /** Subscribed conversation topics on this node (for tests and metrics). */
    public int conversationTopics() {
        return fanout.conversationTopics();
    }
}
