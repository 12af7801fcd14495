package dev.parley.server.metrics;

import dev.parley.core.PageCache;
import dev.parley.core.push.PushDelivery;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.config.MetricsConfig;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.store.jdbc.CommitObserver;
import dev.parley.server.store.jdbc.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's metrics, in Prometheus text format at {@code GET /metrics}: every series Parley defines is
 * named {@code parley_*} and tagged with the node; JVM, process and connection-pool series come from
 * Micrometer's binders. When a token is configured the endpoint needs it as a bearer token (compared in
 * constant time); scrapers on a private network may leave it unset.
 *
 * <p>The text is rendered on a thread of its own, never on an event loop: rendering runs every gauge (the push
 * queue's length is a store query) and every histogram's buckets, and took 20–80 ms under load, during which
 * every socket of the event loop that served the scrape waited.
 */
public final class PrometheusMetrics implements HttpApi.RouteModule, AutoCloseable {
    public static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger log = LoggerFactory.getLogger(PrometheusMetrics.class);
    /** Scrapes that may wait while one renders; past that a scrape is answered 503 at once. */
    private static final int WAITING_SCRAPES = 4;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MetricsConfig config;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, Counter> storedByKind = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor renderer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(WAITING_SCRAPES),
            Thread.ofPlatform().name("parley-metrics").daemon(true).factory());

    public PrometheusMetrics(MetricsConfig config, String nodeId) {
        this.config = config;
        registry.config().commonTags("node", nodeId);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The registry, for components that register their own meters. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Commit batches, their latency, entries stored by kind, send-to-durable latency, and the read pool. */
    public void observe(Database database) {
        DistributionSummary batchSize = DistributionSummary.builder("parley.commit.batch.size")
                .description("writes per group commit").publishPercentileHistogram()
                .maximumExpectedValue(4096.0).register(registry);
        Timer commit = Timer.builder("parley.commit.latency")
                .description("from the start of a group commit's transaction to the end of its commit (fsync included)")
                .tag("store", database.engine()).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        Timer durable = Timer.builder("parley.send.durable.latency")
                .description("from an entry's write being queued to the commit that made it durable")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
        Timer waited = Timer.builder("parley.send.write.wait")
                .description("from an entry's write being queued to the start of the transaction that stored it "
                        + "(the part of parley_send_durable_latency spent waiting for the writer)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
        Timer handOff = Timer.builder("parley.commit.handoff")
                .description("from the end of a group commit to the completions thread taking its batch "
                        + "(answers, publishing and fan-out start then)")
                .tag("store", database.engine()).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        Gauge.builder("parley.store.queued.writes", database, Database::queuedWrites)
                .description("writes waiting for the writer").register(registry);
        database.observeCommits(new CommitObserver() {
            @Override
            public void batchCommitted(int writes, long commitNanos, long handOffNanos) {
                batchSize.record(writes);
                commit.record(Duration.ofNanos(commitNanos));
                handOff.record(Duration.ofNanos(handOffNanos));
            }

            @Override
            public void entryStored(String kind, long waitedNanos, long durableNanos) {
                storedByKind.computeIfAbsent(kind, k -> Counter.builder("parley.entries.stored")
                        .description("log entries stored, by kind").tags(Tags.of("kind", k)).register(registry))
                        .increment();
                waited.record(Duration.ofNanos(waitedNanos));
                durable.record(Duration.ofNanos(durableNanos));
            }
        });
        database.readPool().setMetricRegistry(registry);
    }

    /** Open connections of one transport ({@code websocket}, {@code mqtt}, {@code socketio}). */
    public void connections(String transport, Supplier<Number> open) {
        Gauge.builder("parley.connections", open).description("open client connections")
                .tag("transport", transport).register(registry);
    }

    /** Sync pages answered from the gateway's {@link PageCache} or read ({@code parley_sync_page_cache_*}). */
    public void syncPages(PageCache<?> cache) {
        FunctionCounter.builder("parley.sync.page.cache.hits", cache, PageCache::hits)
                .description("sync pages answered from the node's page cache").register(registry);
        FunctionCounter.builder("parley.sync.page.cache.misses", cache, PageCache::misses)
                .description("sync pages read from the store").register(registry);
        Gauge.builder("parley.sync.page.cache.bytes", cache, PageCache::weight)
                .description("what the kept sync pages weigh").register(registry);
    }

    /** The push queue's length ({@code parley_push_queued}). */
    public void pushQueued(Supplier<Number> queued) {
        Gauge.builder("parley.push.queued", queued).description("pushes decided and not yet delivered")
                .register(registry);
    }

    /** Push delivery outcomes by push service ({@code parley_push_outcomes_total}). */
    public PushDelivery.Outcomes pushOutcomes() {
        Map<String, Counter> counters = new ConcurrentHashMap<>();
        return (type, outcome) -> counters.computeIfAbsent(type.wire() + "/" + outcome, k ->
                Counter.builder("parley.push.outcomes").description("push delivery attempts, by service and outcome")
                        .tags(Tags.of("type", type.wire(), "outcome", outcome)).register(registry)).increment();
    }

    @Override
    public void mount(Router router) {
        router.get(PATH).handler(this::scrape);
    }

    private void scrape(RoutingContext rc) {
        if (config.token() != null && !authorized(rc)) {
            HttpApi.error(rc.response(), ErrorCode.UNAUTHORIZED, "a valid metrics token is required", null);
            return;
        }
        Context loop = rc.vertx().getOrCreateContext();
        try {
            renderer.execute(() -> {
                String text;
                try {
                    text = registry.scrape();
                } catch (RuntimeException e) {
                    log.warn("rendering the metrics failed", e);
                    loop.runOnContext(v -> HttpApi.error(rc.response(), ErrorCode.INTERNAL,
                            "the metrics could not be rendered", null));
                    return;
                }
                loop.runOnContext(v -> {
                    if (!rc.response().closed()) {
                        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(text);
                    }
                });
            });
        } catch (RejectedExecutionException busy) {
            HttpApi.error(rc.response(), ErrorCode.UNAVAILABLE, "too many scrapes at once; retry", 1_000L);
        }
    }

    private boolean authorized(RoutingContext rc) {
        String given = HttpApi.bearerToken(rc).orElse("");
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                config.token().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        renderer.shutdownNow();
        gc.close();
        registry.close();
    }
}
