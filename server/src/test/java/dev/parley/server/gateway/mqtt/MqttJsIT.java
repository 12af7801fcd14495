package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The npm {@code mqtt} client (mqtt.js, pinned by {@code src/test/js/mqtt-js/package-lock.json}) against a
 * real node: MQTT 5 over TCP and MQTT 3.1.1 over the WebSocket at {@code /v1/mqtt}. Needs Node.js; the
 * package is installed with {@code npm ci} on first run, and the test is skipped when neither is possible.
 */
class MqttJsIT {
    private static final Path DIR = Path.of("src/test/js/mqtt-js");

    private static String run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static void requireMqttJs() {
        try {
            run(10, "node", "--version");
        } catch (Exception e) {
            skip("Node.js is not installed (Debian: apt-get install nodejs npm)");
        }
        if (!Files.isDirectory(DIR.resolve("node_modules/mqtt"))) {
            try {
                run(180, "npm", "ci", "--no-audit", "--no-fund");
            } catch (Exception e) {
                skip("npm ci in " + DIR + " failed (is the npm registry reachable?): " + e.getMessage());
            }
        }
    }

    /** Skips, except under {@code CI=true}, where a missing tool fails the run. */
    private static void skip(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + " [CI=true: failing instead of skipping]");
        }
        Assumptions.abort(message);
    }

    @Test
    void mqttJsPublishesAndSubscribesOverTcpAndWebSocket(@TempDir Path data) throws Exception {
        requireMqttJs();
        ServerConfig config = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(MqttConfig.defaults().withPort(0)).withSecurity(TestServers.LENIENT_SECURITY);
        try (ParleyServer server = ParleyServer.start(config)) {
            Api api = new Api(server.port());
            var a = api.user("js_a");
            var b = api.user("js_b");
            var x = api.user("js_x");
            String c = api.direct(a, b);
            String foreign = api.direct(b, x);
            String out = run(60, "node", "check.mjs", Integer.toString(server.mqttPort()),
                    Integer.toString(server.port()), a.handle(), a.token(), c, foreign);
            List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
            assertThat(lines).as(out).isNotEmpty();
            JsonNode r = Json.decodeBody(lines.getLast().getBytes(StandardCharsets.UTF_8), JsonNode.class);
            assertThat(r.path("tcpGranted").toString()).isEqualTo("[1]");
            assertThat(r.path("foreignGranted").toString()).isEqualTo("[135]");
            assertThat(r.path("tcpMessage").path("body").asText()).isEqualTo("from mqtt.js over tcp");
            assertThat(r.path("tcpMessage").path("props").path("seq").asText()).isEqualTo("1");
            assertThat(r.path("tcpMessage").path("props").path("senderId").asText()).isEqualTo(a.userId());
            assertThat(r.path("wsGranted").toString()).isEqualTo("[1]");
            assertThat(r.path("wsMessage").path("body").asText()).isEqualTo("from mqtt.js over websocket");
            assertThat(r.path("badToken").asInt()).isEqualTo(0x87);

            var log = api.get("/v1/conversations/" + c + "/messages", b.token()).body().path("messages");
            assertThat(log).hasSize(2);
            assertThat(log.get(0).path("body").asText()).isEqualTo("from mqtt.js over tcp");
            assertThat(log.get(1).path("body").asText()).isEqualTo("from mqtt.js over websocket");
        }
    }
}
