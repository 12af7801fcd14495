package dev.parley.server.gateway.ws;

import dev.parley.core.AccountService;
import dev.parley.core.Appended;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.ChatService;
import dev.parley.core.PageCache;
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
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.net.URI;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time channel {@code /v1/ws}: checks the browser {@code Origin} at the handshake, expects a
 * {@code hello} first, then turns client frames into core commands and core events into frames. The socket
 * itself is Netty's, taken over at the upgrade ({@link WsUpgrade}, {@link NettySocket}); everything here
 * sees it through {@link ClientSocket}.
 */
public final class WebSocketGateway {
    public static final String PATH = "/v1/ws";
    private static final Logger log = LoggerFactory.getLogger(WebSocketGateway.class);
    private static final int MAX_PENDING_COMMANDS = 1_000;
    /** A socket is pinged after the ping interval less a random part of up to 1/{@value} of it. */
    static final int PING_SPREAD = 5;
    /** At most this much of sync pages is kept: a storm over 20 conversations needs under 1 MiB. */
    static final long SYNC_PAGE_CACHE_BYTES = 32L << 20;

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
    private final WsUpgrade upgrade;
    private final PageFrames pages = new PageFrames();
    /**
     * Sync pages as sent (UTF-8 after the request id), per conversation and {@code lastSeq}: a reconnect storm's
     * thousands of clients of a conversation then cost one page read and one encoding ({@link PageCache}).
     */
    private final PageCache<byte[]> syncPages = new PageCache<>(SYNC_PAGE_CACHE_BYTES, page -> page.length);
    /** The liveness sweep of each event loop with sockets of this gateway ({@link NettySocket#armTimer}). */
    private final Map<EventLoop, LoopTimer> loopTimers = new ConcurrentHashMap<>();
    private final long timerTickMs;

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
        // The hard per-frame cap (1009 from the decoder); the per-message limit is enforced by FrameAssembler.
        this.upgrade = new WsUpgrade(this, maxFrameBytes, Math.max(maxFrameBytes * 2, 65536),
                connections.maxQueuedBytesPerSocket());
        this.timerTickMs = LoopTimer.tickMs(connections.helloTimeoutMs(), connections.pingIntervalMs(),
                connections.pongTimeoutMs());
    }

    /** The liveness sweep of {@code loop}; call on that loop. */
    LoopTimer loopTimer(EventLoop loop) {
        LoopTimer t = loopTimers.get(loop);
        return t != null ? t : loopTimers.computeIfAbsent(loop, l -> new LoopTimer(l, timerTickMs));
    }

    /**
     * Refuses (404) a WebSocket upgrade that reached Vert.x: {@code /v1/ws} itself is taken over before Vert.x
     * sees it ({@link #attach}), so whatever Vert.x is offered is for a path no gateway serves.
     */
    public void handshake(ServerWebSocketHandshake handshake) {
        handshake.reject(404);
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

    /**
     * Puts the {@code /v1/ws} upgrade handler ({@link WsUpgrade}) in a new HTTP/1.1 connection's pipeline, just
     * before Vert.x's handler. Call from the HTTP server's connection handler, on the connection's event loop.
     */
    public void attach(HttpConnection connection) {
        if (!(connection instanceof HttpServerConnection internal)) {
            return; // HTTP/2 and anything else: not served by this node today (no TLS, no h2c)
        }
        ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
        if (pipeline.get(WsUpgrade.VERTX_HANDLER) != null && pipeline.get(WsUpgrade.NAME) == null) {
            pipeline.addBefore(WsUpgrade.VERTX_HANDLER, WsUpgrade.NAME, upgrade);
        }
    }

    /** The shared upgrade handler (tests put it in a pipeline of their own). */
    WsUpgrade upgradeHandler() {
        return upgrade;
    }

    /**
     * Starts serving a socket that has completed its upgrade: the client has the hello timeout to say
     * {@code hello}, and from then on the ping timer watches it. The transport then feeds the peer's frames
     * to {@link #text} and friends and calls {@link #closed} once. Runs on the socket's event loop.
     */
    WsPeer open(ClientSocket socket) {
        WsPeer c = new WsPeer(ids.newId("con"), socket, blocking);
        c.openedNanos = System.nanoTime();
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(connections.pingIntervalMs());
        c.pingAfterNanos = intervalNanos - ThreadLocalRandom.current().nextLong(intervalNanos / PING_SPREAD + 1);
        socket.armTimer(Math.min(connections.helloTimeoutMs(), connections.pingIntervalMs()), () -> check(c));
        return c;
    }

    /** A binary message: answered, not fatal. */
    void binary(WsPeer c) {
        c.reply(ServerFrame.Error.of(null, ErrorCode.BAD_REQUEST,
                "binary frames are not supported; send JSON text frames"));
    }

    /** A message over {@code maxFrameBytes}. */
    void tooBig(WsPeer c) {
        c.close(CloseCode.TOO_BIG, "frame over " + maxFrameBytes + " bytes");
    }

    /** A text message that is not valid UTF-8. */
    void invalidText(WsPeer c) {
        c.close(CloseCode.INVALID_TEXT, "text frame is not valid UTF-8");
    }

    /** The socket is closed, whoever closed it; called once, on its event loop. */
    void closed(WsPeer c) {
        c.markClosed();
        c.socket.disarmTimer();
        // Runs after any hello still in the lane, so registration and clean-up never cross.
        c.lane.submit(() -> {
            Caller caller = c.caller();
            if (caller != null) {
                fanout.unregister(c);
                presence.disconnected(caller, c.id);
            }
        });
    }

    /**
     * The one timer of a socket. Before {@code hello}: closes it (4401) once the hello timeout has passed.
     * After: pings a socket that has been quiet for its own ping interval ({@link WsPeer#pingAfterNanos}: the
     * configured one, less up to a fifth) and closes it (4408) if it is still quiet a pong timeout later: a
     * phone that lost its network never sends a TCP close, and without this its user would stay online forever.
     * Any frame counts as a sign of life, so busy sockets are never pinged. Runs on the socket's event loop.
     */
    private void check(WsPeer c) {
        if (c.isClosed()) {
            return;
        }
        long now = System.nanoTime();
        long helloLeft = 0;
        if (c.caller() == null) {
            helloLeft = c.openedNanos + TimeUnit.MILLISECONDS.toNanos(connections.helloTimeoutMs()) - now;
            if (helloLeft <= 0) {
                log.info("closing connection={}: no hello within {} ms", c.id, connections.helloTimeoutMs());
                c.close(CloseCode.UNAUTHORIZED, "hello expected");
                return;
            }
        }
        long pingAfter = c.pingAfterNanos;
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(connections.pongTimeoutMs());
        long quiet = now - c.lastHeardNanos();
        if (quiet >= pingAfter + timeoutNanos) {
            log.info("closing unresponsive connection={} userId={}", c.id,
                    c.caller() == null ? null : c.caller().userId());
            c.abandon(CloseCode.NO_PONG, "no pong");
            return;
        }
        long next;
        if (quiet >= pingAfter) {
            c.socket.ping();
            next = pingAfter + timeoutNanos - quiet;
        } else {
            next = pingAfter - quiet;
        }
        if (helloLeft > 0) {
            next = Math.min(next, helloLeft);
        }
        c.socket.armTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next)), () -> check(c));
    }

    /** One whole text message from the client. Runs on the socket's event loop. */
    void text(WsPeer c, String text) {
        ClientFrame frame;
        try {
            frame = Json.decodeClientFrame(text);
        } catch (FrameException e) {
            c.reply(ServerFrame.Error.of(e.frameId(), e.code(), e.getMessage()));
            return;
        }
        if (runsNow(c, frame)) {
            return;
        }
        int pending = c.lane.submit(() -> handle(c, frame));
        if (pending > MAX_PENDING_COMMANDS) {
            // Back-pressure: stop reading until the lane catches up.
            c.socket.pauseReading();
            c.lane.submit(c.socket::resumeReading);
        }
    }

    /**
     * Runs a command here, on the socket's event loop, when nothing in it can block: a {@code send} or
     * {@code typing} whose membership is cached (a send then only enqueues its append). Only when the lane
     * is empty, so the peer's commands still start in arrival order and their replies keep today's order;
     * everything else (hello, a cache miss, sync, receipts, changes) goes to the lane. Returns whether it ran.
     */
    // runs on: the socket's event loop
    private boolean runsNow(WsPeer c, ClientFrame frame) {
        Caller caller = c.caller();
        if (caller == null || c.isClosed() || c.lane.pending() != 0) {
            return false;
        }
        try {
            switch (frame) {
                case ClientFrame.Send s -> {
                    CompletableFuture<Appended> appended = chat.sendWithoutBlocking(caller, s);
                    if (appended == null) {
                        return false;
                    }
                    answer(c, s.id(), appended, sent(s));
                    return true;
                }
                case ClientFrame.Typing t -> {
                    if (!chat.typesWithoutBlocking(t.conversationId())) {
                        return false;
                    }
                    handle(c, frame);
                    return true;
                }
                default -> {
                    return false;
                }
            }
        } catch (RuntimeException e) {
            c.reply(error(frame.id(), e));
            return true;
        }
    }

    private static Function<Appended, ServerFrame> sent(ClientFrame.Send s) {
        return a -> new ServerFrame.Sent(s.id(), a.entry().conversationId(), s.clientMsgId(), a.entry().seq(),
                a.entry().sentAtMs(), a.entry().messageId());
    }

    private void handle(WsPeer c, ClientFrame frame) {
        if (c.isClosed()) {
            return;
        }
        Caller caller = c.caller();
        if (caller == null) {
            if (frame instanceof ClientFrame.Hello hello) {
                hello(c, hello);
            } else {
                c.close(CloseCode.UNAUTHORIZED, "hello expected");
            }
            return;
        }
        try {
            switch (frame) {
                case ClientFrame.Hello h -> c.reply(ServerFrame.Error.of(h.id(), ErrorCode.BAD_REQUEST,
                        "already authenticated"));
                case ClientFrame.Send s -> answer(c, s.id(), chat.send(caller, s), sent(s));
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
                    byte[] page = chat.sync(caller, s.conversationId(), s.afterSeq(), s.limit(), syncPages,
                            pages::tail);
                    if (!c.isClosed()) {
                        c.push(pages.page(s.id(), page));
                        awaitWrite(c);
                    }
                }
                case ClientFrame.Ping p -> c.reply(new ServerFrame.Pong(p.id(), clock.millis()));
            }
        } catch (RuntimeException e) {
            c.reply(error(frame.id(), e));
        }
    }

    /**
     * Waits (on the lane) until the socket's event loop has taken the frames pushed so far. A cached sync page
     * costs next to nothing to answer, so a client that sends syncs without reading would otherwise have its lane
     * queue pages for the loop faster than the loop writes them, where the outbound bound does not see them: the
     * lane then built 54 pages of ~450 KB (24 MB) for one such client before it was closed, against fewer than 20
     * when each page was read and encoded. Waiting keeps every page within sight of the bound.
     */
    private static void awaitWrite(WsPeer c) {
        Executor loop = c.socket.loop();
        if (loop instanceof EventLoop l && l.inEventLoop()) {
            return; // already written (never the case for a lane)
        }
        try {
            CompletableFuture.runAsync(() -> { }, loop).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.debug("socket loop did not take the sync page in time connection={}", c.id);
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

    private static WatermarkCoalescer.Source receiptSource(WsPeer c, Caller caller) {
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

    private <T> void answer(WsPeer c, String id, CompletableFuture<T> future, Function<T, ServerFrame> ok) {
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

    private void hello(WsPeer c, ClientFrame.Hello hello) {
        Caller caller;
        try {
            caller = accounts.authenticate(hello.token()).orElse(null);
        } catch (RuntimeException e) {
            log.error("authentication failed", e);
            c.close(CloseCode.SERVER_ERROR, "server error");
            return;
        }
        if (caller == null) {
            c.close(CloseCode.UNAUTHORIZED, "unauthorized");
            return;
        }
        c.authenticated(caller);
        try {
            List<String> conversationIds = chat.conversationIdsOf(caller.userId());
            fanout.register(c, conversationIds);
            presence.connected(caller, c.id);
            c.reply(new ServerFrame.Welcome(hello.id(), caller.userId(), caller.deviceId(), clock.millis(),
                    maxFrameBytes, Protocol.VERSION));
            for (ServerFrame.Presence p : presence.snapshot(caller.userId(), conversationIds)) {
                c.pushPresence(p);
            }
            log.debug("socket ready connection={} userId={} deviceId={}", c.id, caller.userId(), caller.deviceId());
        } catch (RuntimeException e) {
            log.error("socket set-up failed userId={}", caller.userId(), e);
            c.close(CloseCode.SERVER_ERROR, "server error");
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

    /** How many event loops serve this node's authenticated sockets now (for tests and metrics). */
    public int eventLoopsInUse() {
        Set<Executor> loops = new HashSet<>();
        for (WsPeer p : fanout.authenticatedPeers()) {
            loops.add(p.socket.loop());
        }
        return loops.size();
    }

    /** The sync pages this node keeps (for metrics and tests). */
    public PageCache<byte[]> syncPageCache() {
        return syncPages;
    }

    /** Subscribed conversation topics on this node (for tests and metrics). */
    public int conversationTopics() {
        return fanout.conversationTopics();
    }
}
