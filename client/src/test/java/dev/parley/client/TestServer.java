package dev.parley.client;

import dev.parley.protocol.ConversationView;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.config.SecurityConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/** A real in-process Parley server (SQLite under a temp dir, no send rate limit) and client factory. */
final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Path dataDir;
    private volatile ParleyServer server;

    private final UnaryOperator<ServerConfig> tweak;

    TestServer(Path dataDir) {
        this(dataDir, UnaryOperator.identity());
    }

    /** A server whose config {@code tweak} adjusts (for example tighter budgets). */
    TestServer(Path dataDir, UnaryOperator<ServerConfig> tweak) {
        this.dataDir = dataDir;
        this.tweak = tweak;
        this.server = start(dataDir);
    }

    private ParleyServer start(Path dataDir) {
        return ParleyServer.start(tweak.apply(ServerConfig.embedded(dataDir, 0).withSendRate(0)
                .withPassword(new ServerConfig.PasswordConfig(64, 1))
                .withSecurity(SecurityConfig.defaults().withSignUpsPerHourPerAddress(0))));
    }

    int port() {
        return server.port();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Stops the server and starts a new one on the same data (on a new port). */
    void restart() {
        server.close();
        server = start(dataDir);
    }

    void stop() {
        server.close();
    }

    void startAgain() {
        server = start(dataDir);
    }

    /** The conversation's last seq as the server sees it now (bypassing any proxy). */
    long lastSeq(String token, String conversationId) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url() + "/v1/conversations/" + conversationId))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<byte[]> res = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("GET conversation: HTTP " + res.statusCode());
            }
            return Json.mapper().readValue(res.body(), ConversationView.class).lastSeq();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A client with test-friendly timings: fast backoff, fast dead-socket detection. */
    static ParleyClientBuilder client(String url, Path store, String handle, long seed, ParleyListener listener) {
        return ParleyClient.builder()
                .serverUrl(url)
                .store(store)
                .credentials(handle, "pw-" + handle + "-secret")
                .random(new SplittableRandom(seed))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(1_000))
                .heartbeat(Duration.ofMillis(300), Duration.ofMillis(700))
                .connectTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(3))
                .listener(listener);
    }

    /** Signs up, signs in and connects. */
    static ParleyClient signUpAndConnect(ParleyClient c, String handle) {
        c.signUp(handle, "pw-" + handle + "-secret", handle.toUpperCase());
        c.signIn(handle, "pw-" + handle + "-secret");
        c.connect();
        return c;
    }

    @Override
    public void close() {
        server.close();
    }
}
