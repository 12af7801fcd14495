package dev.parley.server.integration;

import static dev.parley.server.integration.IntegrationServers.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox is durable: events of entries answered {@code sent} reach the receiver although the node was
 * killed with SIGKILL before delivering them (a real server process, restarted on the same data).
 */
class WebhookCrashIT {
    static final String SECRET = "whsec-crash-0123456789abcdef";
    @TempDir
    Path data;
    Process node;
    WebhookReceiver receiver;

    @AfterEach
    void stop() {
        if (node != null) {
            node.destroyForcibly();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process startNode(int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = Files.createTempFile(data, "node-", ".log");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", classpath, ServerProcessMain.class.getName(),
                Integer.toString(port), data.resolve("node").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of(
                "PARLEY_ADMIN_TOKEN", ADMIN,
                "PARLEY_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1:" + receiver.port(),
                "PARLEY_WEBHOOK_POLL", "50ms",
                "PARLEY_WEBHOOK_RETRY_BASE", "100ms",
                "PARLEY_RATE_LIMITS", "off"));
        Process p = pb.start();
        Api api = new Api(port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("node exited: " + Files.readString(log));
            }
            try {
                if (api.get("/healthz", null).status() == 200) {
                    return p;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("node did not become healthy: " + Files.readString(log));
    }

    private static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no drain
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private record Setup(String conversationId, String token) {
    }

    private Setup setUp(Api api) {
        assertThat(api.post("/v1/admin/webhooks", ADMIN, Map.of("url", receiver.url(), "events",
                List.of("message.created"), "secret", SECRET)).status()).isEqualTo(201);
        String userId = api.post("/v1/admin/users", ADMIN, Map.of("handle", "crashann")).body().path("userId").asText();
        String token = api.post("/v1/admin/users/" + userId + "/sessions", ADMIN, "{}").body().path("token").asText();
        var group = api.post("/v1/conversations", token, Map.of("kind", "group", "members", List.of(), "title", "c"));
        return new Setup(group.body().path("conversationId").asText(), token);
    }

    private static List<Long> send(int port, Setup s, int count) {
        List<Long> seqs = new ArrayList<>();
        try (WsClient ws = WsClient.connect(port, s.token())) {
            for (int i = 0; i < count; i++) {
                JsonNode sent = ws.call("send", "conversationId", s.conversationId(), "clientMsgId", "m" + i,
                        "body", "message " + i);
                assertThat(sent.path("t").asText()).as(sent.toString()).isEqualTo("sent"); // durable from here
                seqs.add(sent.path("seq").asLong());
            }
        }
        return seqs;
    }

    /** The seqs of accepted message.created events, first delivery of each id, in arrival order. */
    private List<Long> acceptedSeqs() {
        Set<String> seen = new LinkedHashSet<>();
        List<Long> seqs = new ArrayList<>();
        for (JsonNode e : receiver.accepted()) {
            if (seen.add(e.path("id").asText())) {
                seqs.add(e.path("data").path("seq").asLong());
            }
        }
        return seqs;
    }

    @Test
    void eventsNotYetDeliveredWhenTheNodeIsKilledAreDeliveredAfterItRestarts() throws Exception {
        receiver = new WebhookReceiver(SECRET);
        receiver.failNext(1_000_000, 503); // the receiver is down: nothing can be delivered yet
        int port = freePort();
        node = startNode(port);
        Setup s = setUp(new Api(port));
        List<Long> seqs = send(port, s, 20);
        await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.requests().isEmpty()); // attempts under way
        kill9(node);
        assertThat(receiver.accepted()).isEmpty();

        receiver.failNext(0, 503);
        node = startNode(freePort());
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(acceptedSeqs()).hasSize(20));
        assertThat(acceptedSeqs()).containsExactlyElementsOf(seqs);
        assertThat(receiver.requests()).allMatch(WebhookReceiver.Received::signatureValid);
    }

    @Test
    void aKillDuringDeliveryLosesNothingAndKeepsTheOrder() throws Exception {
        receiver = new WebhookReceiver(SECRET);
        int port = freePort();
        node = startNode(port);
        Setup s = setUp(new Api(port));
        List<Long> seqs = send(port, s, 40);
        kill9(node); // some delivered, some leased or waiting
        node = startNode(freePort());
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(acceptedSeqs()).hasSize(40));
        assertThat(acceptedSeqs()).containsExactlyElementsOf(seqs);
    }
}
