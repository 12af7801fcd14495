package dev.parley.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench fuzz} on a tiny budget against a real server (in-process, default limits): the run ends
 * at its count, every frame and request is counted once by kind, answers are classified, and the server
 * still serves afterwards. A second test shows the fault detector fires on a server that answers 500.
 */
class FuzzSmokeTest {
    @TempDir
    Path dir;

    @Test
    void tinyRunAgainstARealServerCountsEverythingItSendsAndWhatCameBack() throws Exception {
        // Cheap password hashing (the world signs in some 45 sessions); every limit stays at its default.
        ParleyServer server = ParleyServer.start(ServerConfig.embedded(dir.resolve("data"), 0)
                .withPassword(new ServerConfig.PasswordConfig(8, 1)));
        try {
            URI url = URI.create("http://127.0.0.1:" + server.port());
            FuzzReport r = new FuzzRun(new FuzzRun.Server(url, ProcessHandle.current().pid(), null, null, "in-process"),
                    System.out).run(new FuzzRun.Options(3_000, Duration.ofSeconds(90), 8, 3, 3, 42, 1 << 20));
            System.out.print(r.text());

            assertThat(r.stoppedBecause()).isEqualTo("count reached");
            assertThat(r.total()).isGreaterThanOrEqualTo(3_000).isEqualTo(r.wsFrames() + r.httpRequests());
            long ws = r.sent().entrySet().stream().filter(e -> e.getKey().startsWith("ws ")).mapToLong(Map.Entry::getValue).sum();
            long http = r.sent().entrySet().stream().filter(e -> e.getKey().startsWith("http ")).mapToLong(Map.Entry::getValue).sum();
            assertThat(ws).isEqualTo(r.wsFrames());
            assertThat(http).isEqualTo(r.httpRequests());
            assertThat(r.httpRequests()).isPositive();
            assertThat(r.answers()).containsKeys("ws welcome", "ws error bad_request", "ws pong");
            assertThat(r.answers().keySet()).anyMatch(k -> k.startsWith("http 4"));
            // Every answer class that is a fault by definition is counted among the faults.
            long faultAnswers = r.answers().entrySet().stream().filter(e -> e.getKey().matches("http 5\\d\\d.*")
                    || e.getKey().equals("ws error internal") || e.getKey().equals("ws close 1011"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertThat(r.faults()).isGreaterThanOrEqualTo(faultAnswers);
            assertThat(r.faultSamples()).hasSize((int) Math.min(50, r.faults()));
            assertThat(r.afterwards()).startsWith("serving");
            assertThat(r.rssAfterBytes()).isPositive();
            assertThat(r.text()).contains("SERVER FAULTS: " + r.faults());
        } finally {
            server.close();
        }
    }

    @Test
    void aServerThatAnswers500IsReportedAsFaultyWithTheRequest() throws Exception {
        HttpServer broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broken.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"error\":{\"code\":\"internal\",\"message\":\"boom\"}}".getBytes(StandardCharsets.UTF_8);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(500, head ? -1 : body.length);
            if (!head) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        broken.start();
        try {
            World.User u = new World.User("usr_a", "alice", World.PASSWORD, "pt_aaaaaaaaaaaaaaaaaaaa", List.of("cnv_a"), List.of("cnv_s"));
            World.User v = new World.User("usr_b", "bob", World.PASSWORD, "pt_bbbbbbbbbbbbbbbbbbbb", List.of("cnv_a"), List.of("cnv_t"));
            World.User outsider = new World.User("usr_o", "olga", World.PASSWORD, "pt_oooooooooooooooooooo", List.of("cnv_o"), List.of());
            World world = new World(URI.create("http://127.0.0.1:" + broken.getAddress().getPort()), List.of(u, v),
                    outsider, List.of("cnv_o"), new ConcurrentLinkedQueue<>());
            Tally tally = new Tally();
            new HttpFuzzer("127.0.0.1", broken.getAddress().getPort(), world, tally, new Junk(new SplittableRandom(7)),
                    () -> tally.requests() >= 60).run();

            assertThat(tally.requests()).isGreaterThanOrEqualTo(60);
            assertThat(tally.answersByClass()).containsKey("http 500 internal");
            assertThat(tally.faults()).isEqualTo(tally.answersByClass().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("http 500")).mapToLong(Map.Entry::getValue).sum());
            for (Tally.Fault f : tally.faultSamples()) {
                assertThat(f.sent()).matches("(?s)([A-Za-z]+ /.*|malformed: .*)")
                        .doesNotContain("pt_aaaaaaaaaaaaaaaaaaaa", "pt_oooooooooooooooooooo");
                assertThat(f.answer()).contains("500");
            }
        } finally {
            broken.stop(0);
        }
    }
}
