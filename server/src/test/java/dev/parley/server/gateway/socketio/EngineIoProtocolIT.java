package dev.parley.server.gateway.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConnectionConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box at the Engine.IO and Socket.IO packet level, with hand-written requests a library client would
 * never send: malformed or oversized input, overlapping polls, too many sessions, binary attachments. Each
 * is refused with the protocol's error, and the node keeps serving. Runs without Node.
 */
class EngineIoProtocolIT {
    private static final int MAX_FRAME = 4096;
    private static final int MAX_SESSIONS = 4;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dataDir;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = ParleyServer.start(ServerConfig.embedded(dataDir, 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withMaxFrameBytes(MAX_FRAME)
                .withConnections(ConnectionConfig.defaults().withAddressLimits(MAX_SESSIONS, 1000, 1000)));
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static String base() {
        return "http://127.0.0.1:" + server.port() + "/socket.io/";
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
    }

    private static Reply get(String query) {
        return send(HttpRequest.newBuilder(URI.create(base() + "?" + query)).GET());
    }

    private static CompletableFuture<Reply> getAsync(String query) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base() + "?" + query)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> new Reply(r.statusCode(), r.body(), r));
    }

    private static Reply post(String query, String body) {
        return send(HttpRequest.newBuilder(URI.create(base() + "?" + query)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static Reply send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Opens a polling session and returns its sid. */
    private static String open() {
        Reply r = get("EIO=4&transport=polling");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).startsWith("0");
        return json(r.body().substring(1)).path("sid").asText();
    }

    private static String session(String sid) {
        return "EIO=4&transport=polling&sid=" + sid;
    }

    /** A polling session whose Socket.IO socket is connected with {@code token}. */
    private static String connected(String token) {
        String sid = open();
        assertThat(post(session(sid), "40{\"token\":\"" + token + "\"}").body()).isEqualTo("ok");
        assertThat(get(session(sid)).body()).startsWith("40{\"sid\":");
        return sid;
    }

    private static void close(String sid) {
        post(session(sid), "1");
    }

    @Test
    void handshakeAnnouncesTheUpgradeHeartbeatAndTheServersFrameLimit() {
        Reply r = get("EIO=4&transport=polling");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        JsonNode open = json(r.body().substring(1));
        assertThat(open.path("sid").asText()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(open.path("upgrades")).extracting(JsonNode::asText).containsExactly("websocket");
        assertThat(open.path("pingInterval").asLong()).isEqualTo(25_000);
        assertThat(open.path("pingTimeout").asLong()).isEqualTo(20_000);
        assertThat(open.path("maxPayload").asLong()).isEqualTo(MAX_FRAME);
        close(open.path("sid").asText());
    }

    @Test
    void badQueriesAndUnknownSessionsGet400() {
        assertThat(get("transport=polling").status()).isEqualTo(400);
        assertThat(get("EIO=3&transport=polling").status()).isEqualTo(400);
        assertThat(get("EIO=4&transport=abc").status()).isEqualTo(400);
        assertThat(post("EIO=4&transport=polling", "40").status()).isEqualTo(400);
        Reply unknown = get(session("no-such-session"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(json(unknown.body()).path("code").asInt()).isEqualTo(1);
        assertThat(post(session("no-such-session"), "40").status()).isEqualTo(400);
    }

    @Test
    void overlappingPollsEndTheSession() throws Exception {
        String sid = open();
        CompletableFuture<Reply> first = getAsync(session(sid));
        Thread.sleep(200);
        Reply second = get(session(sid));
        assertThat(second.status()).isEqualTo(400);
        Reply firstReply = first.get(10, TimeUnit.SECONDS);
        assertThat(firstReply.body()).isEqualTo("1");
        assertThat(get(session(sid)).status()).isEqualTo(400);
    }

    @Test
    void oversizedPostIsRefusedWith413AndEndsOnlyThatSession() {
        var user = api.user("eioBig");
        String sid = connected(user.token());
        Reply big = post(session(sid), "42[\"send\",{\"body\":\"" + "x".repeat(MAX_FRAME) + "\"}]");
        assertThat(big.status()).isEqualTo(413);
        assertThat(get(session(sid)).status()).isEqualTo(400);

        String again = connected(user.token());
        assertThat(post(session(again), "3").body()).isEqualTo("ok");
        close(again);
    }

    @Test
    void malformedPacketsEndTheSession() {
        String sid = open();
        assertThat(post(session(sid), "abc").status()).isEqualTo(400);
        assertThat(get(session(sid)).status()).isEqualTo(400);

        String other = open();
        // An event before the namespace CONNECT: the Socket.IO protocol says to close.
        assertThat(post(session(other), "42[\"send\",{}]").body()).isEqualTo("ok");
        assertThat(get(session(other)).status()).isEqualTo(400);
    }

    @Test
    void binaryAttachmentsAreRefusedWithATypedAck() {
        var user = api.user("eioBinary");
        String sid = connected(user.token());
        String binaryEvent = "451-7[\"send\",{\"conversationId\":\"c\",\"file\":{\"_placeholder\":true,\"num\":0}}]";
        assertThat(post(session(sid), binaryEvent + "\u001ebAQIDBA==").body()).isEqualTo("ok");
        String ack = get(session(sid)).body();
        assertThat(ack).startsWith("437[");
        JsonNode error = json(ack.substring(3)).get(0).path("error");
        assertThat(error.path("code").asText()).isEqualTo("bad_request");
        assertThat(error.path("message").asText()).contains("binary");
        // The session carries on.
        assertThat(post(session(sid), "42[\"typing\",{\"conversationId\":\"c\",\"state\":\"start\"}]").body())
                .isEqualTo("ok");
        close(sid);
    }

    @Test
    void otherNamespacesAreRefusedAndTheMainOneStillConnects() {
        var user = api.user("eioNamespace");
        String sid = open();
        post(session(sid), "40/admin,{\"token\":\"" + user.token() + "\"}");
        assertThat(get(session(sid)).body()).isEqualTo("44/admin,{\"message\":\"Invalid namespace\"}");
        post(session(sid), "40{\"token\":\"" + user.token() + "\"}");
        assertThat(get(session(sid)).body()).startsWith("40{\"sid\":");
        close(sid);
    }

    @Test
    void aRevokedSessionIsDisconnectedByTheServer() {
        var user = api.user("eioRevoked");
        String sid = connected(user.token());
        assertThat(api.delete("/v1/sessions/current", user.token()).status()).isEqualTo(204);
        String body = get(session(sid)).body();
        assertThat(body).isEqualTo("41\u001e1");
        assertThat(get(session(sid)).status()).isEqualTo(400);
    }

    @Test
    void sessionsPerAddressAreCappedWith429() {
        List<String> sids = new ArrayList<>();
        try {
            Reply refused = null;
            for (int i = 0; i < MAX_SESSIONS + 1 && refused == null; i++) {
                Reply r = get("EIO=4&transport=polling");
                if (r.status() == 200) {
                    sids.add(json(r.body().substring(1)).path("sid").asText());
                } else {
                    refused = r;
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
            assertThat(sids).hasSizeLessThanOrEqualTo(MAX_SESSIONS);
            close(sids.removeFirst());
            assertThat(get("EIO=4&transport=polling").status()).isEqualTo(200);
        } finally {
            sids.forEach(EngineIoProtocolIT::close);
        }
    }

    @Test
    void oversizedWebSocketPacketClosesWith1009AndANewSocketWorks() throws Exception {
        try (var ws = new RawSocket()) {
            String open = ws.next();
            assertThat(open).startsWith("0");
            assertThat(json(open.substring(1)).path("upgrades")).isEmpty();
            ws.send("4" + "x".repeat(MAX_FRAME + 10));
            assertThat(ws.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
        }
        var user = api.user("eioWsAfter");
        try (var ws = new RawSocket()) {
            ws.next();
            ws.send("40{\"token\":\"" + user.token() + "\"}");
            assertThat(ws.next()).startsWith("40{\"sid\":");
        }
    }

    /** A bare WebSocket on the Engine.IO path (no Socket.IO library). */
    private static final class RawSocket implements AutoCloseable, WebSocket.Listener {
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final StringBuilder partial = new StringBuilder();
        final WebSocket ws;

        RawSocket() {
            ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + server.port()
                    + "/socket.io/?EIO=4&transport=websocket"), this).join();
        }

        String next() throws InterruptedException {
            String s = texts.poll(10, TimeUnit.SECONDS);
            assertThat(s).as("a packet within 10 s").isNotNull();
            return s;
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
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

        @Override
        public void close() {
            ws.abort();
        }
    }
}
