package dev.parley.server.gateway.socketio;

import dev.parley.server.gateway.ClientAddresses;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Engine.IO 4 server: opens sessions (over a long-polling GET or a WebSocket), keys them by an
 * unguessable {@code sid}, routes polls, posts and upgrade probes to them, and forgets them when they end.
 * Knows nothing of Socket.IO: each new session gets its {@link EngineSession.Listener} from
 * {@code sessionOpened}.
 */
final class EngineServer {
    private static final Logger log = LoggerFactory.getLogger(EngineServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param pingIntervalMs        how often the server pings
     * @param pingTimeoutMs         how long it waits for the pong before ending the session
     * @param maxPayload            largest packet (WebSocket) or POST body (polling) accepted, in bytes
     * @param maxQueuedChars        output a client may leave unread before it is disconnected
     * @param upgradeTimeoutMs      how long a WebSocket may take between its probe and the upgrade
     * @param maxSessionsPerAddress open sessions one client address may hold; 0 = no cap
     */
    record Options(long pingIntervalMs, long pingTimeoutMs, int maxPayload, int maxQueuedChars,
                   long upgradeTimeoutMs, int maxSessionsPerAddress) {
    }

    private final Vertx vertx;
    private final Options options;
    private final ClientAddresses addresses;
    private final Function<EngineSession, EngineSession.Listener> sessionOpened;
    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    EngineServer(Vertx vertx, Options options, ClientAddresses addresses,
                 Function<EngineSession, EngineSession.Listener> sessionOpened) {
        this.vertx = vertx;
        this.options = options;
        this.addresses = addresses;
        this.sessionOpened = sessionOpened;
    }

    /** Open sessions on this node (for tests and metrics). */
    int sessions() {
        return sessions.size();
    }

    // --- HTTP long-polling ---------------------------------------------------------------------------

    /** Serves one long-polling request. Runs on: the request's event loop. */
    void handle(HttpServerRequest req) {
        HttpServerResponse res = req.response();
        res.putHeader("Cache-Control", "no-store");
        if (!"4".equals(req.getParam("EIO"))) {
            error(res, 400, 5, "Unsupported protocol version");
            return;
        }
        if (!"polling".equals(req.getParam("transport"))) {
            error(res, 400, 0, "Transport unknown");
            return;
        }
        String sid = req.getParam("sid");
        if (sid == null) {
            if (req.method() == HttpMethod.GET) {
                openPolling(req);
            } else {
                error(res, 400, 2, "Bad handshake method");
            }
            return;
        }
        EngineSession session = sessions.get(sid);
        if (session == null) {
            unknownSession(res);
            return;
        }
        if (req.method() == HttpMethod.GET) {
            session.run(() -> session.onPoll(res));
        } else if (req.method() == HttpMethod.POST) {
            readBody(req, session);
        } else {
            error(res, 400, 3, "Bad request");
        }
    }

    private void readBody(HttpServerRequest req, EngineSession session) {
        Buffer body = Buffer.buffer();
        int[] state = {0}; // 1 once refused: the rest of the body is ignored
        req.handler(chunk -> {
            if (state[0] != 0) {
                return;
            }
            if (body.length() + chunk.length() > options.maxPayload()) {
                state[0] = 1;
                error(req.response(), 413, 3, "payload over " + options.maxPayload() + " bytes");
                session.close("payload too large");
                return;
            }
            body.appendBuffer(chunk);
        });
        req.exceptionHandler(e -> state[0] = 1);
        req.endHandler(v -> {
            if (state[0] == 0) {
                String text = body.toString(StandardCharsets.UTF_8);
                session.run(() -> session.onPost(text, req.response()));
            }
        });
    }

    private void openPolling(HttpServerRequest req) {
        String address = addresses.keyOf(req.remoteAddress(), req.headers());
        EngineSession session = open(address, vertx.getOrCreateContext());
        if (session == null) {
            req.response().putHeader("Retry-After", "10");
            error(req.response(), 429, 3, "too many sessions from this address");
            return;
        }
        text(req.response(), 200, openPacket(session, List.of("websocket")));
        session.start(null);
    }

    // --- WebSocket -------------------------------------------------------------------------------------

    /** Accepts or refuses a WebSocket upgrade on the Engine.IO path. */
    void handshake(ServerWebSocketHandshake handshake) {
        Map<String, List<String>> q = new QueryStringDecoder(handshake.uri()).parameters();
        if (!List.of("4").equals(q.get("EIO")) || !List.of("websocket").equals(q.get("transport"))) {
            handshake.reject(400);
            return;
        }
        List<String> sid = q.get("sid");
        if (sid != null && (sid.size() != 1 || !sessions.containsKey(sid.getFirst()))) {
            handshake.reject(400);
            return;
        }
        handshake.accept();
    }

    /** Serves an accepted WebSocket: a new session, or a probe to upgrade an existing one. */
    void serve(ServerWebSocket ws) {
        List<String> sidParam = new QueryStringDecoder(ws.uri()).parameters().get("sid");
        EngineSession session;
        if (sidParam != null) {
            session = sessions.get(sidParam.getFirst());
            if (session == null) {
                ws.close((short) 1008, "unknown session");
                return;
            }
            session.run(() -> session.probeWith(ws));
        } else {
            session = open(addresses.keyOf(ws.remoteAddress(), ws.headers()), vertx.getOrCreateContext());
            if (session == null) {
                ws.close((short) 1008, "too many sessions from this address");
                return;
            }
        }
        EngineSession s = session;
        // Handlers are set here, on the socket's own loop, so that no early frame is missed.
        ws.textMessageHandler(text -> s.onWebSocketText(ws, text));
        ws.binaryMessageHandler(b -> s.onWebSocketBinary(ws));
        ws.exceptionHandler(e -> log.debug("engine.io websocket error: {}", e.toString()));
        ws.closeHandler(v -> s.onWebSocketClosed(ws));
        if (sidParam == null) {
            ws.writeTextMessage(openPacket(session, List.of()));
            session.start(ws);
        }
    }

    // --- sessions --------------------------------------------------------------------------------------

    /** A new session charged to {@code address}, or null when that address holds too many. */
    private EngineSession open(String address, Context context) {
        AtomicInteger count = perAddress.compute(address, (k, v) -> v == null ? new AtomicInteger() : v);
        int cap = options.maxSessionsPerAddress();
        if (count.incrementAndGet() > cap && cap > 0) {
            release(address);
            log.info("engine.io session refused: per-address cap of {} reached", cap);
            return null;
        }
        String sid = newSid();
        EngineSession session = new EngineSession(sid, address, context, vertx, options, this::ended);
        sessions.put(sid, session);
        session.listener(sessionOpened.apply(session));
        return session;
    }

    private void ended(EngineSession session) {
        if (sessions.remove(session.sid, session)) {
            release(session.addressKey);
        }
    }

    private void release(String address) {
        perAddress.computeIfPresent(address, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    private String openPacket(EngineSession session, List<String> upgrades) {
        String json = "{\"sid\":\"" + session.sid + "\",\"upgrades\":"
                + (upgrades.isEmpty() ? "[]" : "[\"" + String.join("\",\"", upgrades) + "\"]")
                + ",\"pingInterval\":" + options.pingIntervalMs() + ",\"pingTimeout\":" + options.pingTimeoutMs()
                + ",\"maxPayload\":" + options.maxPayload() + "}";
        return EnginePacket.of(EnginePacket.Type.OPEN, json).encode();
    }

    /** 120 random bits: the sid is all a poll needs to act as the session, so it must not be guessable. */
    private static String newSid() {
        byte[] b = new byte[15];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    // --- responses -------------------------------------------------------------------------------------

    static void text(HttpServerResponse res, int status, String body) {
        try {
            res.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=UTF-8").end(body);
        } catch (IllegalStateException alreadyEnded) {
            // The client went away (or the response was already answered); nothing to tell.
        }
    }

    static void unknownSession(HttpServerResponse res) {
        error(res, 400, 1, "Session ID unknown");
    }

    static void badRequest(HttpServerResponse res, String why) {
        error(res, 400, 3, "Bad request: " + why);
    }

    /** Engine.IO's error body: {@code {"code":n,"message":"..."}} (messages here never contain quotes). */
    static void error(HttpServerResponse res, int status, int code, String message) {
        try {
            res.setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end("{\"code\":" + code + ",\"message\":\"" + message + "\"}");
        } catch (IllegalStateException alreadyEnded) {
            // already answered
        }
    }
}
