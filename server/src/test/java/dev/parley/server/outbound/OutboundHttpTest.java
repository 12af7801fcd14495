package dev.parley.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.OutboundConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real requests to a local Vert.x server on 127.0.0.1. */
class OutboundHttpTest {
    private static Vertx vertx;
    private static HttpServer server;
    private static int port;
    private static final Map<String, String> lastHost = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> {
            lastHost.put(req.path(), String.valueOf(req.headers().get("Host")));
            switch (req.path()) {
                case "/redirect" -> req.response().setStatusCode(302)
                        .putHeader("Location", "http://127.0.0.1:" + port + "/echo").end();
                case "/silent" -> { } // never answers
                case "/big" -> req.response().end(Buffer.buffer(new byte[200 * 1024]));
                default -> req.body().onSuccess(b -> req.response().setStatusCode(201)
                        .putHeader("X-Echo-Method", req.method().name()).end(b));
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private OutboundHttp client(HostResolver resolver, long requestTimeoutMs) {
        var config = new OutboundConfig(List.of("127.0.0.1:" + port, "hook.test:" + port), 2_000, requestTimeoutMs);
        return OutboundHttp.http1(vertx, new OutboundRule(config, resolver), config);
    }

    @Test
    void postsToAnAllowedLocalReceiverAndReturnsTheAnswer() throws Exception {
        try (var http = client(HostResolver.system(), 10_000)) {
            var r = http.post(URI.create("http://127.0.0.1:" + port + "/echo?a=1"),
                    Map.of("Content-Type", "application/json"), "{\"x\":1}".getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("X-Echo-Method")).isEqualTo("POST");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1}");
        }
    }

    @Test
    void connectsToTheCheckedAddressWhileTheHostStillNamesTheRequest() throws Exception {
        // hook.test exists only in this resolver: the request reaches the server, so the client connected to the
        // address the rule checked instead of resolving the name again.
        HostResolver resolver = host -> host.equals("hook.test") ? List.of(InetAddress.getByName("127.0.0.1"))
                : HostResolver.system().resolve(host);
        try (var http = client(resolver, 10_000)) {
            var r = http.post(URI.create("http://hook.test:" + port + "/pinned"), Map.of(), new byte[0]);
            assertThat(r.status()).isEqualTo(201);
            assertThat(lastHost.get("/pinned")).isEqualTo("hook.test:" + port);
        }
    }

    @Test
    void aNameThatMovesToAPrivateAddressAfterRegistrationIsRefusedAtDelivery() throws Exception {
        var answer = new java.util.concurrent.atomic.AtomicReference<>("93.184.216.34");
        HostResolver rebinding = host -> List.of(InetAddress.getByName(answer.get()));
        try (var http = client(rebinding, 10_000)) {
            URI url = URI.create("https://rebind.example.com:" + port + "/rebound");
            assertThat(http.rule().check(url).allowListed()).isFalse(); // registration: public, accepted
            answer.set("127.0.0.1");                                      // the DNS answer changes
            assertThatThrownBy(() -> http.post(url, Map.of(), new byte[0])).isInstanceOf(OutboundRefused.class)
                    .extracting(e -> ((OutboundRefused) e).reason()).isEqualTo(OutboundRefused.Reason.NOT_PUBLIC);
            assertThat(lastHost).doesNotContainKey("/rebound");
        }
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        try (var http = client(HostResolver.system(), 10_000)) {
            var r = http.send("GET", URI.create("http://127.0.0.1:" + port + "/redirect"), Map.of(), null);
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("location")).endsWith("/echo");
        }
    }

    @Test
    void aReceiverThatNeverAnswersTimesOut() {
        try (var http = client(HostResolver.system(), 500)) {
            assertThatThrownBy(() -> http.post(URI.create("http://127.0.0.1:" + port + "/silent"), Map.of(),
                    new byte[0])).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aLargeAnswerIsCutAtTheCap() throws Exception {
        try (var http = client(HostResolver.system(), 10_000)) {
            var r = http.send("GET", URI.create("http://127.0.0.1:" + port + "/big"), Map.of(), null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(OutboundHttp.MAX_RESPONSE_BYTES);
        }
    }

    @Test
    void anAddressThatIsNotAllowedIsNeverContacted() {
        try (var http = client(HostResolver.system(), 10_000)) {
            assertThatThrownBy(() -> http.post(URI.create("http://127.0.0.1:" + (port == 1 ? 2 : port - 1) + "/never"),
                    Map.of(), new byte[0])).isInstanceOf(OutboundRefused.class);
            assertThatThrownBy(() -> http.post(URI.create("https://localhost:" + port + "/never"), Map.of(), new byte[0]))
                    .isInstanceOf(OutboundRefused.class);
            assertThat(lastHost).doesNotContainKey("/never");
        }
    }
}
