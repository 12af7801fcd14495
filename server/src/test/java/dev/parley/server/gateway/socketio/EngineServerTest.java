package dev.parley.server.gateway.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.gateway.ClientAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Engine.IO layer alone, on a real socket with short timers and an echo listener (what the client sends
 * comes back): heartbeat, the probe-and-upgrade, client close, and the bound on unread output.
 */
class EngineServerTest {
    /** Long enough that no ping interferes with tests that are not about the heartbeat, even on a busy machine. */
    private static final long QUIET = 60_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Vertx vertx;
    private HttpServer http;
    private final List<String> closeReasons = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createVertx() {
        vertx = Vertx.vertx();
    }

    private void start(long pingInterval, long pingTimeout) throws Exception {
        var options = new EngineServer.Options(pingInterval, pingTimeout, 1000, 200, 5000, 0);
        EngineServer engine = new EngineServer(vertx, options, new ClientAddresses(), session -> new EngineSession.Listener() {
            @Override
            public void onMessage(String text) {
                session.send(text);
            }

            @Override
            public void onBinary() {
            }

            @Override
            public int backlog() {
                return 0;
            }

            @Override
            public void afterBacklog(Runnable then) {
                then.run();
            }

            @Override
            public void onClose(String reason) {
                closeReasons.add(reason);
            }
        });
        http = vertx.createHttpServer()
                .webSocketHandshakeHandler(engine::handshake)
                .webSocketHandler(engine::serve)
                .requestHandler(engine::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String url(String query) {
        return "http://127.0.0.1:" + http.actualPort() + "/socket.io/?EIO=4&transport=polling" + query;
    }

    private HttpResponse<String> get(String sid) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url("&sid=" + sid))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String sid) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url("&sid=" + sid))).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String sid, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url("&sid=" + sid))).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String open() throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(url(""))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return dev.parley.protocol.Json.mapper().readTree(r.body().substring(1)).path("sid").asText();
    }

    @Test
    void messagesPostedComeBackOnTheNextPoll() throws Exception {
        start(QUIET, QUIET);
        String sid = open();
        assertThat(post(sid, "4test1\u001e4test2").body()).isEqualTo("ok");
        assertThat(get(sid).body()).isEqualTo("4test1\u001e4test2");
    }

    @Test
    void pongsKeepAPollingSessionAlive() throws Exception {
        start(300, 5_000);
        String sid = open();
        for (int i = 0; i < 3; i++) {
            var poll = get(sid);
            assertThat(poll.statusCode()).isEqualTo(200);
            assertThat(poll.body()).isEqualTo("2");
            assertThat(post(sid, "3").statusCode()).isEqualTo(200);
        }
        assertThat(closeReasons).isEmpty();
    }

    @Test
    void aClientThatStopsAnsweringPingsIsEnded() throws Exception {
        start(300, 300);
        String sid = open();
        // Polls (which receive the pings) but never answers with a pong.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
            status = get(sid).statusCode();
        }
        assertThat(status).isEqualTo(400);
        assertThat(closeReasons).containsExactly("ping timeout");
    }

    @Test
    void clientCloseAnswersTheOpenPollWithNoop() throws Exception {
        start(QUIET, QUIET);
        String sid = open();
        var poll = getAsync(sid);
        Thread.sleep(100);
        assertThat(post(sid, "1").statusCode()).isEqualTo(200);
        assertThat(poll.get(5, TimeUnit.SECONDS).body()).isEqualTo("6");
        assertThat(get(sid).statusCode()).isEqualTo(400);
    }

    @Test
    void outputNobodyFetchesEndsTheSessionPastItsBound() throws Exception {
        start(QUIET, QUIET);
        String sid = open();
        post(sid, "4" + "x".repeat(120));
        post(sid, "4" + "y".repeat(120));
        assertThat(get(sid).statusCode()).isEqualTo(400);
        assertThat(closeReasons).containsExactly("client too slow");
    }

    @Test
    void probeThenUpgradeMovesTheSessionToTheWebSocket() throws Exception {
        start(QUIET, QUIET);
        String sid = open();
        var poll = getAsync(sid);
        Thread.sleep(100);
        var frames = new LinkedBlockingQueue<String>();
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + http.actualPort()
                + "/socket.io/?EIO=4&transport=websocket&sid=" + sid), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        w.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("2probe", true).join();
        assertThat(frames.poll(5, TimeUnit.SECONDS)).isEqualTo("3probe");
        assertThat(poll.get(5, TimeUnit.SECONDS).body()).isEqualTo("6");
        ws.sendText("5", true).join();
        ws.sendText("4hello", true).join();
        assertThat(frames.poll(5, TimeUnit.SECONDS)).isEqualTo("4hello");
        assertThat(get(sid).statusCode()).isEqualTo(400);
        ws.abort();
    }

    @Test
    void aWebSocketForAnUnknownSessionIsRefused() throws Exception {
        start(QUIET, QUIET);
        var attempt = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + http.actualPort()
                + "/socket.io/?EIO=4&transport=websocket&sid=nope"), new WebSocket.Listener() {
                });
        assertThat(attempt).failsWithin(Duration.ofSeconds(5));
    }
}
