package dev.parley.server.gateway.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.core.AccountService;
import dev.parley.core.Appended;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameException;
import dev.parley.protocol.Json;
import dev.parley.protocol.ServerFrame;
import dev.parley.server.gateway.ClientAddresses;
import dev.parley.server.gateway.http.HttpApi;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket.IO v4 at {@code /socket.io/} for the unchanged npm {@code socket.io-client}: the Socket.IO layer
 * (namespace connection with the session token in the handshake's {@code auth}, events with
 * acknowledgements) on top of {@link EngineServer}. Client events become the same core commands as the
 * WebSocket's frames of the same name, and are acknowledged with the same answers (without {@code t} and
 * {@code id}); the core's events reach the client as Socket.IO events named like the frames' {@code t}.
 */
public final class SocketIoGateway {
    public static final String PATH = "/socket.io/";
    private static final Logger log = LoggerFactory.getLogger(SocketIoGateway.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Client events, named like the WebSocket frames they stand for; anything else is refused. */
    private static final Set<String> COMMANDS = Set.of("send", "delivered", "read", "typing", "react", "edit",
            "delete", "sync");
    /** Engine.IO's usual heartbeat: a ping every 25 s, 20 s to answer. */
    private static final long PING_INTERVAL_MS = 25_000;
    private static final long PING_TIMEOUT_MS = 20_000;
    private static final long UPGRADE_TIMEOUT_MS = 10_000;
    /** A refused client closes the session itself; this is for the one that does not. */
    private static final long REFUSED_GRACE_MS = 5_000;

    private final Vertx vertx;
    private final AccountService accounts;
    private final ChatService chat;
    private final PresenceService presence;
    private final ExecutorService blocking;
    private final long connectTimeoutMs;
    private final EventRoutes routes;
    private final EngineServer engine;

    /**
     * @param maxPayload            largest packet or polling body accepted (the server's frame limit)
     * @param connectTimeoutMs      a session that has not connected its socket within this is closed
     * @param maxSessionsPerAddress open sessions one client address may hold; 0 = no cap
     */
    public SocketIoGateway(Vertx vertx, AccountService accounts, ChatService chat, PresenceService presence,
                           EventBus bus, ExecutorService blocking, ClientAddresses addresses, int maxPayload,
                           long connectTimeoutMs, int maxSessionsPerAddress) {
        this.vertx = vertx;
        this.accounts = accounts;
        this.chat = chat;
        this.presence = presence;
        this.blocking = blocking;
        this.connectTimeoutMs = connectTimeoutMs;
        this.routes = new EventRoutes(bus, chat, presence, blocking);
        var options = new EngineServer.Options(PING_INTERVAL_MS, PING_TIMEOUT_MS, maxPayload,
                Math.max(8 * 1024 * 1024, maxPayload * 4), UPGRADE_TIMEOUT_MS, maxSessionsPerAddress);
        this.engine = new EngineServer(vertx, options, addresses, this::opened);
    }

    /** Whether a request or WebSocket upgrade path belongs to this gateway. */
    public static boolean handles(String path) {
        return PATH.equals(path) || "/socket.io".equals(path);
    }

    /** The long-polling routes, to mount on the HTTP router. */
    public HttpApi.RouteModule routes() {
        return router -> router.route("/socket.io/").handler(rc -> engine.handle(rc.request()));
    }

    /** Accepts or refuses a WebSocket upgrade on {@link #PATH}. */
    public void handshake(ServerWebSocketHandshake handshake) {
        engine.handshake(handshake);
    }

    /** Serves an accepted WebSocket on {@link #PATH}. */
    public void serve(ServerWebSocket ws) {
        engine.serve(ws);
    }

    /** Open Engine.IO sessions on this node (for tests and metrics). */
    public int sessions() {
        return engine.sessions();
    }

    // --- the Socket.IO layer of one session ------------------------------------------------------------

    private EngineSession.Listener opened(EngineSession session) {
        SocketIoPeer peer = new SocketIoPeer(session, newSocketId(), blocking);
        vertx.setTimer(connectTimeoutMs, t -> {
            if (peer.state() == SocketIoPeer.State.AWAITING_CONNECT) {
                session.close("no CONNECT in time");
            }
        });
        return new EngineSession.Listener() {
            @Override
            public void onMessage(String text) {
                received(peer, text);
            }

            @Override
            public void onBinary() {
                // The attachments of a binary event, which was refused when its header came.
            }

            @Override
            public int backlog() {
                return peer.lane.pending();
            }

            @Override
            public void afterBacklog(Runnable then) {
                peer.lane.submit(then);
            }

            @Override
            public void onClose(String reason) {
                SocketIoPeer.State before = peer.state();
                peer.state(SocketIoPeer.State.CLOSED);
                if (before == SocketIoPeer.State.AWAITING_CONNECT) {
                    return;
                }
                // Runs after a CONNECT still in the lane, so registration and clean-up never cross.
                peer.lane.submit(() -> {
                    Caller caller = peer.caller();
                    if (caller != null) {
                        routes.unregister(peer);
                        presence.disconnected(caller, peer.connectionId());
                    }
                });
            }
        };
    }

    // runs on: the session's event loop
    private void received(SocketIoPeer peer, String text) {
        SocketPacket packet;
        try {
            packet = SocketPacket.decode(text);
        } catch (IllegalArgumentException e) {
            peer.engine.close("malformed Socket.IO packet");
            return;
        }
        if (!SocketPacket.MAIN.equals(packet.namespace())) {
            if (packet.type() == SocketPacket.Type.CONNECT) {
                peer.send(SocketPacket.connectError(packet.namespace(), "\"Invalid namespace\""));
            }
            return;
        }
        SocketIoPeer.State state = peer.state();
        switch (packet.type()) {
            case CONNECT -> {
                if (state == SocketIoPeer.State.AWAITING_CONNECT) {
                    peer.state(SocketIoPeer.State.CONNECTING);
                    peer.lane.submit(() -> connect(peer, packet.payload()));
                } else if (state == SocketIoPeer.State.REFUSED) {
                    peer.engine.close("CONNECT after refusal");
                }
            }
            case DISCONNECT -> peer.engine.closeGracefully("client disconnected");
            case EVENT, BINARY_EVENT -> {
                if (state == SocketIoPeer.State.AWAITING_CONNECT || state == SocketIoPeer.State.REFUSED) {
                    // The protocol: nothing but CONNECT before the socket is connected.
                    peer.engine.close("event before CONNECT");
                } else if (packet.type() == SocketPacket.Type.BINARY_EVENT) {
                    peer.lane.submit(() -> acknowledge(peer, packet.ackId(), ServerFrame.Error.of(null,
                            ErrorCode.BAD_REQUEST, "binary attachments are not supported; send JSON")));
                } else {
                    peer.lane.submit(() -> event(peer, packet));
                }
            }
            // The server never asks the client for an acknowledgement; a client's CONNECT_ERROR means nothing.
            case ACK, BINARY_ACK, CONNECT_ERROR -> {
            }
        }
    }

    // runs on: the peer's lane (may block)
    private void connect(SocketIoPeer peer, String payload) {
        String token = tokenOf(payload);
        Caller caller;
        try {
            caller = token == null ? null : accounts.authenticate(token).orElse(null);
        } catch (RuntimeException e) {
            log.error("authentication failed", e);
            refuse(peer, "internal error");
            return;
        }
        if (caller == null) {
            refuse(peer, "unauthorized");
            return;
        }
        if (peer.state() == SocketIoPeer.State.CLOSED) {
            return;
        }
        peer.authenticated(caller);
        peer.state(SocketIoPeer.State.CONNECTED);
        // CONNECT goes out first; live events then follow it (an event before it would wait in the client).
        peer.send(SocketPacket.connected(peer.socketId));
        try {
            routes.register(peer, chat.conversationIdsOf(caller.userId()));
            presence.connected(caller, peer.connectionId());
            for (ServerFrame.Presence p : presence.snapshot(caller.userId())) {
                peer.pushPresence(p);
            }
            log.debug("socket.io ready userId={} deviceId={}", caller.userId(), caller.deviceId());
        } catch (RuntimeException e) {
            log.error("socket.io set-up failed userId={}", caller.userId(), e);
            peer.disconnect("server error");
        }
    }

    /** The token from the handshake's {@code auth} object, or null. Never from the query string. */
    private static String tokenOf(String payload) {
        if (payload == null) {
            return null;
        }
        try {
            JsonNode auth = Json.mapper().readTree(payload);
            JsonNode token = auth == null ? null : auth.get("token");
            return token != null && token.isTextual() && !token.textValue().isEmpty() ? token.textValue() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private void refuse(SocketIoPeer peer, String message) {
        if (peer.state() == SocketIoPeer.State.CLOSED) {
            return;
        }
        peer.state(SocketIoPeer.State.REFUSED);
        peer.send(SocketPacket.connectError(SocketPacket.MAIN, Json.encode(message)));
        vertx.setTimer(REFUSED_GRACE_MS, t -> peer.engine.close("refused"));
    }

    // runs on: the peer's lane (may block)
    private void event(SocketIoPeer peer, SocketPacket packet) {
        if (peer.isClosed()) {
            return;
        }
        JsonNode data;
        try {
            data = packet.payload() == null ? null : Json.mapper().readTree(packet.payload());
        } catch (JsonProcessingException e) {
            data = null;
        }
        if (data == null || !data.isArray() || data.isEmpty() || !data.get(0).isTextual()) {
            // The protocol: an event's payload is a non-empty array led by its name, or the connection ends.
            peer.engine.close("malformed event");
            return;
        }
        String name = data.get(0).textValue();
        Long ackId = packet.ackId();
        if (!COMMANDS.contains(name)) {
            acknowledge(peer, ackId, ServerFrame.Error.of(null, ErrorCode.BAD_REQUEST,
                    "unknown event; expected one of " + String.join(", ", COMMANDS.stream().sorted().toList())));
            return;
        }
        JsonNode argument = data.size() > 1 ? data.get(1) : null;
        if (!(argument instanceof ObjectNode fields)) {
            acknowledge(peer, ackId, ServerFrame.Error.of(null, ErrorCode.BAD_REQUEST,
                    "the event's argument must be an object"));
            return;
        }
        fields.put("t", name);
        fields.remove("id");
        ClientFrame frame;
        try {
            frame = Json.decodeClientFrame(fields.toString());
        } catch (FrameException e) {
            acknowledge(peer, ackId, ServerFrame.Error.of(null, e.code(), e.getMessage()));
            return;
        }
        try {
            command(peer, peer.caller(), frame, ackId);
        } catch (RuntimeException e) {
            acknowledge(peer, ackId, error(e));
        }
    }

    private void command(SocketIoPeer peer, Caller caller, ClientFrame frame, Long ackId) {
        switch (frame) {
            case ClientFrame.Send s -> answer(peer, ackId, chat.send(caller, s), a -> new ServerFrame.Sent(null,
                    a.entry().conversationId(), s.clientMsgId(), a.entry().seq(), a.entry().sentAtMs(),
                    a.entry().messageId()));
            case ClientFrame.React r -> answer(peer, ackId, chat.react(caller, r), Ok::seq);
            case ClientFrame.Edit e -> answer(peer, ackId, chat.edit(caller, e), Ok::seq);
            case ClientFrame.Delete d -> answer(peer, ackId, chat.delete(caller, d), Ok::seq);
            case ClientFrame.Delivered d -> answer(peer, ackId, chat.markDelivered(caller, d.conversationId(), d.seq()),
                    x -> ServerFrame.Ok.of(null));
            case ClientFrame.Read r -> answer(peer, ackId, chat.markRead(caller, r.conversationId(), r.seq()),
                    x -> ServerFrame.Ok.of(null));
            case ClientFrame.Typing t -> {
                chat.typing(caller, t.conversationId(), t.state());
                acknowledge(peer, ackId, ServerFrame.Ok.of(null));
            }
            case ClientFrame.Sync s -> {
                ChatService.Page page = chat.sync(caller, s.conversationId(), s.afterSeq(), s.limit());
                acknowledge(peer, ackId, ServerFrame.Ok.ofPage(null, page.messages(), page.hasMore()));
            }
            // Not Socket.IO events: the handshake authenticates, and Engine.IO has its own heartbeat.
            case ClientFrame.Hello h -> throw new IllegalStateException("hello is not an event");
            case ClientFrame.Ping p -> throw new IllegalStateException("ping is not an event");
        }
    }

    private static final class Ok {
        static ServerFrame seq(Appended a) {
            return ServerFrame.Ok.ofSeq(null, a.entry().seq());
        }
    }

    private <T> void answer(SocketIoPeer peer, Long ackId, CompletableFuture<T> future, Function<T, ServerFrame> ok) {
        future.whenComplete((value, failure) -> acknowledge(peer, ackId,
                failure != null ? error(failure) : ok.apply(value)));
    }

    /** Sends the acknowledgement the client asked for (none when it did not ask). */
    private static void acknowledge(SocketIoPeer peer, Long ackId, ServerFrame answer) {
        if (ackId == null || peer.isClosed()) {
            return;
        }
        String json;
        if (answer instanceof ServerFrame.Error e) {
            ObjectNode error = Json.mapper().createObjectNode();
            error.put("code", e.code().wire());
            error.put("message", e.message());
            if (e.retryAfterMs() != null) {
                error.put("retryAfterMs", e.retryAfterMs());
            }
            ObjectNode body = Json.mapper().createObjectNode();
            body.set("error", error);
            json = body.toString();
        } else {
            json = fields(answer);
        }
        peer.send(SocketPacket.ack(ackId, json));
    }

    /** A frame's JSON without {@code t} and {@code id}: the argument of the matching Socket.IO event or ack. */
    static String fields(ServerFrame frame) {
        ObjectNode node = Json.mapper().valueToTree(frame);
        node.remove("t");
        node.remove("id");
        return node.toString();
    }

    private static ServerFrame.Error error(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof ChatException ce) {
            return new ServerFrame.Error(null, ce.code(), ce.getMessage(),
                    ce.code() == ErrorCode.RATE_LIMITED ? ce.retryAfterMs() : null);
        }
        if (t instanceof FrameException fe) {
            return ServerFrame.Error.of(null, fe.code(), fe.getMessage());
        }
        log.error("socket.io command failed", t);
        return ServerFrame.Error.of(null, ErrorCode.INTERNAL, "internal error");
    }

    private static String newSocketId() {
        byte[] b = new byte[15];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
