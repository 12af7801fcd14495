package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.MetricsConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on a real node after real traffic: the exposition passes Prometheus's own parser and
 * linter ({@code promtool check metrics}) and carries the series operators need, with the values the traffic
 * implies; a configured token is required.
 */
class MetricsIT {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    static HttpResponse<String> scrape(ParleyServer server, String token) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first sample whose name and labels match, e.g. {@code parley_entries_stored_total{kind="text"}}. */
    static Optional<Double> sample(String exposition, String name, String labelFragment) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        while (m.find()) {
            if (m.group(1).contains(labelFragment)) {
                return Optional.of(Double.parseDouble(m.group(2)));
            }
        }
        return Optional.empty();
    }

    static void requirePromtool() {
        boolean present = Files.isExecutable(PROMTOOL);
        String message = "metrics exposition check needs promtool; install it with: apt-get install -y prometheus";
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + " [CI=true: failing instead of skipping]");
        }
        Assumptions.assumeTrue(present, message);
    }

    static String promtool(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // 0: parsed and clean; 3: parsed, with lint remarks; anything else: the exposition did not parse.
        assertThat(p.exitValue()).as("promtool check metrics: " + out).isIn(0, 3);
        // Micrometer's JVM and system binders keep their long-standing names (process_cpu_time_ns_total,
        // system_cpu_count), which the linter remarks on; Parley's own series must lint clean.
        assertThat(out.lines().filter(l -> l.startsWith("parley_"))).as("lint remarks on parley_ series").isEmpty();
        return out;
    }

    @Test
    void afterRealTrafficTheExpositionIsValidAndCountsWhatHappened() throws Exception {
        requirePromtool();
        try (ParleyServer server = TestServers.sqlite(data)) {
            var api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            String c = api.direct(alice, bob);
            try (var a = WsClient.connect(server.port(), alice.token())) {
                for (int i = 1; i <= 3; i++) {
                    a.call("send", "conversationId", c, "clientMsgId", "m" + i, "body", "hello " + i);
                }
                a.call("send", "conversationId", c, "clientMsgId", "m1", "body", "hello 1"); // a replay: not stored
                a.call("react", "conversationId", c, "target", 1, "emoji", "👍");
            }
            var r = scrape(server, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            String text = r.body();
            promtool(text);

            assertThat(sample(text, "parley_entries_stored_total", "kind=\"text\"")).hasValue(3.0);
            assertThat(sample(text, "parley_entries_stored_total", "kind=\"reaction\"")).hasValue(1.0);
            assertThat(sample(text, "parley_send_durable_latency_seconds_count", "node=\"node-1\"")).hasValue(4.0);
            assertThat(sample(text, "parley_commit_batch_size_count", "")).hasValueSatisfying(v -> assertThat(v).isPositive());
            // The wait for the writer is a part of each stored entry's durable latency, counted for the same entries.
            assertThat(sample(text, "parley_send_write_wait_seconds_count", "node=\"node-1\"")).hasValue(4.0);
            assertThat(sample(text, "parley_send_write_wait_seconds_sum", "node=\"node-1\"").orElseThrow())
                    .isLessThanOrEqualTo(sample(text, "parley_send_durable_latency_seconds_sum", "node=\"node-1\"")
                            .orElseThrow());
            // One hand-off to the completions thread per commit (scraped again while a background write, such as
            // the engagement of a first sender, is between the two records).
            String counted = text;
            for (int i = 0; i < 50 && !sample(counted, "parley_commit_handoff_seconds_count", "store=\"sqlite\"")
                    .equals(sample(counted, "parley_commit_latency_seconds_count", "store=\"sqlite\"")); i++) {
                Thread.sleep(100);
                counted = scrape(server, null).body();
            }
            assertThat(sample(counted, "parley_commit_handoff_seconds_count", "store=\"sqlite\""))
                    .isEqualTo(sample(counted, "parley_commit_latency_seconds_count", "store=\"sqlite\""))
                    .hasValueSatisfying(v -> assertThat(v).isPositive());
            assertThat(text).contains("parley_commit_latency_seconds_bucket{", "parley_store_queued_writes{",
                    "jvm_memory_used_bytes{", "process_uptime_seconds{", "hikaricp_connections{");
        }
    }

    @Test
    void aConfiguredTokenIsRequired() throws Exception {
        ServerConfig base = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS);
        try (ParleyServer server = ParleyServer.start(base.withMetrics(new MetricsConfig(true, "s3cret-scrape")))) {
            assertThat(scrape(server, null).statusCode()).isEqualTo(401);
            assertThat(scrape(server, "wrong").statusCode()).isEqualTo(401);
            assertThat(scrape(server, "s3cret-scrape").statusCode()).isEqualTo(200);
        }
        try (ParleyServer server = ParleyServer.start(base.withMetrics(new MetricsConfig(false, null)))) {
            assertThat(scrape(server, null).statusCode()).as("turned off").isEqualTo(404);
        }
    }

    @Test
    void theTokenComesFromTheEnvironment() {
        var config = dev.parley.server.config.ConfigLoader.load(Optional.empty(),
                Map.of("PARLEY_METRICS_TOKEN", "from-env"), dev.parley.server.config.ConfigLoader.Overrides.none());
        assertThat(config.metrics().token()).isEqualTo("from-env");
        assertThat(config.metrics().toString()).doesNotContain("from-env");
    }
}
