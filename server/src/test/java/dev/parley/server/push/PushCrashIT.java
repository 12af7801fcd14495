package dev.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push decided before a crash is still sent after a restart: a real node process is killed with SIGKILL
 * after the push is in the durable queue and before it was delivered (the coalescing window is still open),
 * and a new process on the same data directory delivers it.
 */
class PushCrashIT {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    record Node(Process process, int port, List<String> output) {
    }

    Node start(Path data, String allowedHost, long coalesceMs) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), PushNodeMain.class.getName(), data.toString(), allowedHost,
                Long.toString(coalesceMs)).redirectErrorStream(true).start();
        processes.add(p);
        List<String> output = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (java.io.IOException e) {
                // the process died
            }
        });
        await().atMost(WAIT).until(() -> output.stream().anyMatch(l -> l.startsWith("PORT ")) || !p.isAlive());
        assertThat(p.isAlive()).as("node output: %s", output).isTrue();
        int port = Integer.parseInt(output.stream().filter(l -> l.startsWith("PORT ")).findFirst().orElseThrow()
                .substring(5).strip());
        return new Node(p, port, output);
    }

    static int queued(Path data) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("parley.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM push_queue")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aPushDecidedBeforeAKillIsSentAfterTheRestart() throws Exception {
        try (WebPushReceiver receiver = new WebPushReceiver()) {
            Path data = dir.resolve("data");
            Node first = start(data, receiver.hostPort(), 2500);
            Api api = new Api(first.port());
            Api.Session alice = api.user("alice");
            Api.Session bob = api.user("bob");
            String c = api.direct(alice, bob);
            assertThat(api.post("/v1/push/subscriptions", bob.token(), receiver.browser("bob").subscription()).status())
                    .isEqualTo(201);
            long seq;
            try (WsClient ws = WsClient.connect(first.port(), alice.token())) {
                JsonNode sent = ws.call("send", "conversationId", c, "clientMsgId", "m1", "body", "sent before the crash");
                seq = sent.path("seq").asLong();
            }
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> queued(data) == 1);
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no draining
            assertThat(first.process().waitFor()).isEqualTo(137);
            assertThat(receiver.attempts("bob")).as("delivered before the kill: the test proves nothing").isZero();
            assertThat(queued(data)).isEqualTo(1);

            Node second = start(data, receiver.hostPort(), 2500);
            await().atMost(WAIT).until(() -> !receiver.received("bob").isEmpty());
            JsonNode p = receiver.received("bob").getFirst().payload();
            assertThat(p.path("conversationId").asText()).isEqualTo(c);
            assertThat(p.path("seq").asLong()).isEqualTo(seq);
            assertThat(p.path("preview").asText()).isEqualTo("sent before the crash");
            assertThat(receiver.failures()).isEmpty();
            await().atMost(WAIT).until(() -> queued(data) == 0);
            second.process().destroy();
        }
    }
}
