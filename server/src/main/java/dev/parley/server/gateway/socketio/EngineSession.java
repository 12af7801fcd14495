package dev.parley.server.gateway.socketio;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO session: the packets of one client over HTTP long-polling, then (after the probe and the
 * {@code upgrade} packet) over one WebSocket, or over a WebSocket from the start. It runs the heartbeat
 * (the server pings every {@code pingInterval}; no pong within {@code pingTimeout} ends the session) and
 * holds what waits for the client's next poll, bounded: a client that stops fetching is closed rather than
 * buffered for.
 *
 * <p>Threading: every field is owned by the session's {@link #context} (one event loop), so there are no
 * locks; calls from elsewhere hop onto it with {@link #run}. Writes to a response or socket owned by
 * another event loop are thread-safe in Vert.x.
 */
final class EngineSession {
    private static final Logger log = LoggerFactory.getLogger(EngineSession.class);
    /** Commands waiting in the Socket.IO layer past which the session stops reading the client. */
    static final int MAX_BACKLOG = 1_000;

    /** What the session tells the Socket.IO layer. Every method runs on the session's context. */
    interface Listener {
        /** A text message from the client. */
        void onMessage(String text);

        /** A binary message from the client (refused by Parley; the layer decides what to answer). */
        void onBinary();

        /** Commands received and not yet done; above {@link #MAX_BACKLOG} the session stops reading. */
        int backlog();

        /** Runs {@code then} (on any thread) once every command received so far is done. */
        void afterBacklog(Runnable then);

        /** The session ended; called once. */
        void onClose(String reason);
    }

    final String sid;
    final String addressKey;
    final Context context;
    private final Vertx vertx;
    private final EngineServer.Options options;
    private final Consumer<EngineSession> onEnd;
    private Listener listener;

    /** Encoded packets waiting for the next poll (polling transport only). */
    private final List<String> outbox = new ArrayList<>();
    private long outboxChars;
    private HttpServerResponse pendingGet;
    private boolean postInFlight;
    /** The WebSocket transport, once there is one. */
    private ServerWebSocket ws;
    /** Characters handed to {@link #ws} and not yet written to the network. */
    private final AtomicLong unwritten = new AtomicLong();
    /** A WebSocket probing to replace polling; {@link #probed} once its {@code 2probe} was answered. */
    private ServerWebSocket probe;
    private boolean probed;
    private long pingTimer = -1;
    private long pongTimer = -1;
    private long closeTimer = -1;
    private long upgradeTimer = -1;
    private boolean closing;
    private boolean closed;

    EngineSession(String sid, String addressKey, Context context, Vertx vertx, EngineServer.Options options,
                  Consumer<EngineSession> onEnd) {
        this.sid = sid;
        this.addressKey = addressKey;
        this.context = context;
        this.vertx = vertx;
        this.options = options;
        this.onEnd = onEnd;
    }

    void listener(Listener l) {
        this.listener = l;
    }

    /** Runs {@code task} on the session's context. */
    void run(Runnable task) {
        if (Context.isOnEventLoopThread() && Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    // runs on: the session's context (from EngineServer, right after the handshake)
    void start(ServerWebSocket webSocket) {
        if (webSocket != null) {
            ws = webSocket;
        }
        schedulePing();
    }

    /** Queues a Socket.IO packet for the client; callable from any thread. */
    void send(String socketIoPacket) {
        String encoded = EnginePacket.message(socketIoPacket).encode();
        run(() -> enqueue(encoded));
    }

    /** Ends the session once what is queued has reached the client (or the client has stopped polling). */
    void closeGracefully(String reason) {
        run(() -> {
            if (closed || closing) {
                return;
            }
            if (ws != null) {
                // Frames queued before the close frame are written first.
                end(reason, null);
                return;
            }
            closing = true;
            if (pendingGet != null) {
                answerPoll();
            } else {
                closeTimer = vertx.setTimer(options.pingTimeoutMs(), t -> end(reason + " (client stopped polling)",
                        null));
            }
        });
    }

    /** Ends the session now; callable from any thread. */
    void close(String reason) {
        run(() -> end(reason, EnginePacket.CLOSE));
    }

    boolean isClosed() {
        return closed;
    }

    private void enqueue(String encoded) {
        if (closed || closing) {
            return;
        }
        if (ws != null) {
            writeWs(encoded);
            return;
        }
        outbox.add(encoded);
        outboxChars += encoded.length();
        if (outboxChars > options.maxQueuedChars()) {
            log.info("closing slow polling session: more than {} characters wait for its next poll",
                    options.maxQueuedChars());
            end("client too slow", EnginePacket.CLOSE);
            return;
        }
        if (pendingGet != null && !probed) {
            answerPoll();
        }
    }

    private void writeWs(String encoded) {
        // Characters, not bytes: close enough for a back-pressure bound and free to compute.
        if (unwritten.get() > options.maxQueuedChars()) {
            log.info("closing slow websocket session: more than {} characters unwritten", options.maxQueuedChars());
            end("client too slow", null);
            return;
        }
        int size = encoded.length();
        unwritten.addAndGet(size);
        try {
            ws.writeTextMessage(encoded).onComplete(ar -> unwritten.addAndGet(-size));
        } catch (IllegalStateException alreadyClosed) {
            end("transport closed", null);
        }
    }

    /** Answers the pending poll with everything queued (or a noop), then the close packet when closing. */
    private void answerPoll() {
        HttpServerResponse res = pendingGet;
        pendingGet = null;
        List<String> packets = new ArrayList<>(outbox);
        outbox.clear();
        outboxChars = 0;
        if (closing) {
            packets.add(EnginePacket.CLOSE.encode());
        } else if (packets.isEmpty()) {
            packets.add(EnginePacket.NOOP.encode());
        }
        EngineServer.text(res, 200, EnginePacket.encodePayload(packets));
        if (closing) {
            end("closed by server", null);
        }
    }

    // runs on: the session's context
    void onPoll(HttpServerResponse res) {
        if (closed) {
            EngineServer.unknownSession(res);
            return;
        }
        if (ws != null) {
            EngineServer.badRequest(res, "this session has upgraded to websocket");
            return;
        }
        if (pendingGet != null) {
            // Two polls at once would reorder packets; the protocol says to end the session.
            EngineServer.badRequest(res, "overlapping poll");
            end("overlapping poll", EnginePacket.CLOSE);
            return;
        }
        pendingGet = res;
        if (!outbox.isEmpty() || probed || closing) {
            // While upgrading, polls are answered at once (a noop when nothing waits) so the client can pause.
            answerPoll();
            return;
        }
        res.closeHandler(v -> run(() -> {
            if (pendingGet == res) {
                pendingGet = null;
            }
        }));
    }

    // runs on: the session's context, with a body already bounded by maxPayload
    void onPost(String body, HttpServerResponse res) {
        if (closed) {
            EngineServer.unknownSession(res);
            return;
        }
        if (ws != null) {
            EngineServer.badRequest(res, "this session has upgraded to websocket");
            return;
        }
        if (postInFlight) {
            EngineServer.badRequest(res, "overlapping post");
            end("overlapping post", EnginePacket.CLOSE);
            return;
        }
        List<EnginePacket> packets;
        try {
            packets = EnginePacket.decodePayload(body);
        } catch (IllegalArgumentException e) {
            EngineServer.badRequest(res, e.getMessage());
            end("malformed packet", EnginePacket.CLOSE);
            return;
        }
        for (EnginePacket p : packets) {
            onPacket(p);
            if (closed) {
                break;
            }
        }
        if (closed) {
            EngineServer.text(res, 200, "ok");
            return;
        }
        postInFlight = true;
        Runnable finish = () -> run(() -> {
            postInFlight = false;
            EngineServer.text(res, 200, "ok");
        });
        if (listener.backlog() > MAX_BACKLOG) {
            // Back-pressure for polling: the client sends its next POST only after this one's "ok".
            listener.afterBacklog(finish);
        } else {
            finish.run();
        }
    }

    private void onPacket(EnginePacket p) {
        switch (p.type()) {
            case PONG -> {
                if (pongTimer >= 0) {
                    vertx.cancelTimer(pongTimer);
                    pongTimer = -1;
                    schedulePing();
                }
            }
            case MESSAGE -> {
                if (p.binary()) {
                    listener.onBinary();
                } else {
                    listener.onMessage(p.data());
                }
            }
            case CLOSE -> end("client closed", EnginePacket.NOOP);
            // Engine.IO 4 clients never ping (the server does) except to probe, and noop/upgrade mean
            // nothing on the current transport.
            case PING, NOOP, UPGRADE, OPEN -> {
            }
        }
    }

    // runs on: the WebSocket's own event loop; hops to the session's
    void onWebSocketText(ServerWebSocket socket, String text) {
        if (text.length() > options.maxPayload()) {
            run(() -> {
                socket.close((short) 1009, "packet over " + options.maxPayload() + " bytes");
                if (socket == ws) {
                    end("packet too large", null);
                }
            });
            return;
        }
        run(() -> {
            if (closed) {
                return;
            }
            EnginePacket p;
            try {
                p = EnginePacket.decode(text);
            } catch (IllegalArgumentException e) {
                socket.close((short) 1002, "malformed Engine.IO packet");
                if (socket == ws) {
                    end("malformed packet", null);
                }
                return;
            }
            if (socket == probe) {
                onProbePacket(p);
            } else if (socket == ws) {
                onPacket(p);
                if (!closed && listener.backlog() > MAX_BACKLOG) {
                    socket.pause();
                    listener.afterBacklog(socket::resume);
                }
            }
        });
    }

    void onWebSocketBinary(ServerWebSocket socket) {
        run(() -> {
            if (!closed && socket == ws) {
                onPacket(EnginePacket.binaryMessage());
            }
        });
    }

    void onWebSocketClosed(ServerWebSocket socket) {
        run(() -> {
            if (socket == ws) {
                end("transport closed", null);
            } else if (socket == probe) {
                probe = null;
                probed = false;
            }
        });
    }

    /** Offers {@code socket} as the replacement of polling; refused unless this session polls and has no probe. */
    // runs on: the session's context
    void probeWith(ServerWebSocket socket) {
        if (closed || closing || ws != null || probe != null) {
            socket.close((short) 1008, "cannot upgrade this session");
            return;
        }
        probe = socket;
        upgradeTimer = vertx.setTimer(options.upgradeTimeoutMs(), t -> run(() -> {
            if (probe == socket) {
                probe = null;
                probed = false;
                socket.close((short) 1008, "upgrade timed out");
            }
        }));
    }

    private void onProbePacket(EnginePacket p) {
        if (p.type() == EnginePacket.Type.PING && "probe".equals(p.data())) {
            probe.writeTextMessage(EnginePacket.of(EnginePacket.Type.PONG, "probe").encode());
            probed = true;
            if (pendingGet != null) {
                // Lets the client's open poll return so that it can pause polling.
                answerPoll();
            }
        } else if (p.type() == EnginePacket.Type.UPGRADE && probed) {
            vertx.cancelTimer(upgradeTimer);
            ws = probe;
            probe = null;
            probed = false;
            if (pendingGet != null) {
                answerPoll();
            }
            List<String> queued = new ArrayList<>(outbox);
            outbox.clear();
            outboxChars = 0;
            for (String encoded : queued) {
                writeWs(encoded);
            }
            log.debug("engine.io session upgraded to websocket");
        }
    }

    private void schedulePing() {
        pingTimer = vertx.setTimer(options.pingIntervalMs(), t -> run(() -> {
            if (closed || closing) {
                return;
            }
            enqueue(EnginePacket.PING.encode());
            pongTimer = vertx.setTimer(options.pingTimeoutMs(), t2 -> run(() -> end("ping timeout", EnginePacket.CLOSE)));
        }));
    }

    /** Ends the session: answers a pending poll with {@code lastPacket} (when given), closes sockets, tells the layer. */
    private void end(String reason, EnginePacket lastPacket) {
        if (closed) {
            return;
        }
        closed = true;
        for (long timer : new long[] {pingTimer, pongTimer, closeTimer, upgradeTimer}) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
        if (pendingGet != null) {
            EngineServer.text(pendingGet, 200, (lastPacket == null ? EnginePacket.CLOSE : lastPacket).encode());
            pendingGet = null;
        }
        outbox.clear();
        if (ws != null) {
            try {
                ws.close((short) 1000, reason);
            } catch (IllegalStateException ignored) {
                // already closed
            }
        }
        if (probe != null) {
            probe.close((short) 1000, reason);
        }
        onEnd.accept(this);
        log.debug("engine.io session ended: {}", reason);
        if (listener != null) {
            listener.onClose(reason);
        }
    }
}
