package dev.parley.server.gateway.ws;

import dev.parley.core.Caller;
import dev.parley.protocol.Json;
import dev.parley.protocol.ServerFrame;
import dev.parley.server.gateway.SerialLane;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated (or authenticating) WebSocket. Commands from the client run in order on its
 * {@link SerialLane}; frames to the client may be written from any thread.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** Close code for a client that lets more than the outbound bound pile up unread (policy violation). */
    static final short CLOSE_TOO_SLOW = 1008;

    final String id;
    final ServerWebSocket ws;
    /** The event loop that owns this socket: writes made there go straight to the channel. */
    final Context context;
    final SerialLane lane;
    /** Conversations whose events this connection receives; guarded by the {@link Fanout}. */
    final Set<String> conversations = ConcurrentHashMap.newKeySet();
    /** Last presence state sent per user, so a user in several shared conversations is announced once. */
    private final Map<String, String> presenceSent = new ConcurrentHashMap<>();
    private final long maxQueuedBytes;
    /** Bytes handed to the socket and not yet written to the network. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile Caller caller;
    private volatile boolean closed;
    /** When the client was last heard from (any frame), for the ping timer; written on the event loop. */
    private volatile long lastHeardNanos = System.nanoTime();

    Connection(String id, ServerWebSocket ws, Context context, Executor executor, long maxQueuedBytes) {
        this.id = id;
        this.ws = ws;
        this.context = context;
        this.lane = new SerialLane(executor);
        this.maxQueuedBytes = maxQueuedBytes;
    }

    Caller caller() {
        return caller;
    }

    void authenticated(Caller c) {
        this.caller = c;
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** Writes an answer to the client's own request, within the same outbound bound as events. */
    void reply(ServerFrame frame) {
        if (!closed) {
            write(Json.encode(frame));
        }
    }

    /** Writes a live event, within the outbound bound. */
    void push(String json) {
        write(json);
    }

    /**
     * Writes one live event to many sockets: one task per event loop rather than one cross-thread hop
     * per socket, so a fan-out costs a few wake-ups however many members are online.
     */
    static void pushAll(Iterable<Connection> connections, String json, Predicate<Connection> include) {
        Map<Context, List<Connection>> byLoop = new HashMap<>(8);
        for (Connection c : connections) {
            if (!c.closed && include.test(c)) {
                byLoop.computeIfAbsent(c.context, k -> new ArrayList<>()).add(c);
            }
        }
        byLoop.forEach((loop, group) -> loop.runOnContext(v -> {
            for (Connection c : group) {
                c.push(json);
            }
        }));
    }

    static void pushAll(Iterable<Connection> connections, String json) {
        pushAll(connections, json, c -> true);
    }

    /** Sends a presence frame unless this user's same state was the last one sent. */
    void pushPresence(ServerFrame.Presence p) {
        String state = p.state() + ":" + p.lastSeenMs();
        String previous = presenceSent.put(p.userId(), state);
        if (!state.equals(previous)) {
            push(Json.encode(p));
        }
    }

    /**
     * Every frame to the client goes through here, so one bound covers replies and events alike. A client
     * that lets more than the bound pile up unread is disconnected (1008) instead of being buffered without
     * bound; from then on its lane drops its remaining commands ({@link #isClosed}), and it catches up with
     * {@code sync} when it reconnects. The frame that crosses the bound is still written, so one large
     * reply (a full sync page) always fits an otherwise empty queue.
     */
    private void write(String json) {
        if (closed) {
            return;
        }
        if (queuedBytes.get() > maxQueuedBytes) {
            log.info("closing slow connection userId={} deviceId={} queuedBytes={}",
                    caller == null ? null : caller.userId(), caller == null ? null : caller.deviceId(),
                    queuedBytes.get());
            close(CLOSE_TOO_SLOW, "too slow: reconnect and sync");
            return;
        }
        // Characters, not bytes: close enough for a back-pressure bound and free to compute.
        int size = json.length();
        queuedBytes.addAndGet(size);
        try {
            ws.writeTextMessage(json).onComplete(ar -> queuedBytes.addAndGet(-size));
        } catch (IllegalStateException alreadyClosed) {
            // The socket closed between the check and the write; its close handler cleans up.
            closed = true;
        }
    }

    void close(short code, String reason) {
        if (!closed) {
            closed = true;
            ws.close(code, reason);
        }
    }

    /**
     * Closes a socket whose peer has stopped answering: the close frame is sent for form's sake, but the
     * TCP connection is dropped at once rather than after the close handshake's timeout, so the user goes
     * offline now. Runs on the socket's event loop.
     */
    void abandon(short code, String reason) {
        close(code, reason);
        if (ws instanceof WebSocketInternal internal) {
            // From the pipeline's first handler, past Vert.x's own, which would wait for the close handshake.
            internal.channelHandlerContext().pipeline().firstContext().close();
        }
    }

}
