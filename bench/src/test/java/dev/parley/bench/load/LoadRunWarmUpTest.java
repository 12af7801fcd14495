package dev.parley.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scrapes of the server's metrics through the warm-up ({@link LoadRun#warmUpScrapes}), against a loopback server. */
class LoadRunWarmUpTest {
    private HttpServer server;
    private final List<Long> scrapedAt = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", exchange -> {
            scrapedAt.add(System.nanoTime());
            byte[] body = "parley_commit_latency_seconds_bucket{le=\"+Inf\"} 0\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theWarmUpScrapesOnceASecondAndStopsASecondBeforeTheWindow() throws Exception {
        URI metrics = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
        long start = System.nanoTime();
        long until = start + TimeUnit.MILLISECONDS.toNanos(3_500);

        LoadRun.warmUpScrapes(Optional.of(metrics), until);

        // At 0, 1 and 2 s; a fourth would have come at 3 s, within the last second before the window.
        assertThat(scrapedAt).hasSize(3);
        assertThat(scrapedAt.get(2) - start).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
        assertThat(scrapedAt.getLast()).isLessThan(until);
    }

    @Test
    void aTargetWithoutMetricsIsNotScraped() throws Exception {
        long before = System.nanoTime();

        LoadRun.warmUpScrapes(Optional.empty(), before + TimeUnit.SECONDS.toNanos(30));

        assertThat(scrapedAt).isEmpty();
        assertThat(System.nanoTime() - before).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
}
