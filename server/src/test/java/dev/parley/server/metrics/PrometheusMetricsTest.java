package dev.parley.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.config.MetricsConfig;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on a real Vert.x server with one event loop: the text is rendered off the event loop, so a
 * slow gauge (the push queue's length is a store query) holds no socket of that loop; scrapes past the few that
 * may wait are refused with 503 instead of piling up.
 */
class PrometheusMetricsTest {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final PrometheusMetrics metrics = new PrometheusMetrics(new MetricsConfig(true, null), "n1");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private HttpServer server;

    @AfterEach
    void close() {
        http.close();
        metrics.close();
        vertx.close().await();
    }

    private URI start() {
        Router router = Router.router(vertx);
        metrics.mount(router);
        router.get("/ping").handler(rc -> rc.response().end("pong"));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    private CompletableFuture<HttpResponse<String>> get(URI base, String path) {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void gaugesAreReadOffTheEventLoop() throws Exception {
        AtomicReference<Boolean> onEventLoop = new AtomicReference<>();
        Gauge.builder("parley.test.gauge", () -> {
            onEventLoop.set(Context.isOnEventLoopThread());
            return 42;
        }).register(metrics.registry());
        URI base = start();

        HttpResponse<String> r = get(base, "/metrics").get(20, TimeUnit.SECONDS);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body()).contains("parley_test_gauge{node=\"n1\"} 42.0");
        assertThat(onEventLoop.get()).as("the gauge was read, and not on an event loop").isFalse();
    }

    @Test
    void aSlowScrapeHoldsNoSocketOfItsEventLoopAndScrapesPastTheQueueAreRefused() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Gauge.builder("parley.test.slow", () -> {
            reading.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }).register(metrics.registry());
        URI base = start();

        CompletableFuture<HttpResponse<String>> slow = get(base, "/metrics");
        assertThat(reading.await(20, TimeUnit.SECONDS)).as("the first scrape is rendering").isTrue();
        // The only event loop still answers while the gauge blocks.
        HttpResponse<String> ping = get(base, "/ping").get(20, TimeUnit.SECONDS);
        assertThat(ping.body()).isEqualTo("pong");

        // One renders and four may wait: the next ones are refused at once.
        List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            more.add(get(base, "/metrics"));
        }
        List<HttpResponse<String>> refused = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (refused.size() < 3 && System.nanoTime() < deadline) {
            refused.clear();
            for (CompletableFuture<HttpResponse<String>> f : more) {
                if (f.isDone()) {
                    refused.add(f.join());
                }
            }
            Thread.sleep(10);
        }
        assertThat(refused).hasSize(3).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("retry-after")).hasValue("1");
            assertThat(r.body()).contains("\"code\":\"unavailable\"");
        });
        assertThat(slow).isNotDone();

        release.countDown();
        assertThat(slow.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        long served = 0;
        for (CompletableFuture<HttpResponse<String>> f : more) {
            if (f.get(20, TimeUnit.SECONDS).statusCode() == 200) {
                served++;
            }
        }
        assertThat(served).as("the waiting scrapes are answered once the first is done").isEqualTo(4);
    }
}
