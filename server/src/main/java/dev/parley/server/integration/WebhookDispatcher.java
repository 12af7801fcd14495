package dev.parley.server.integration;

import dev.parley.server.config.IntegrationConfig;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.outbound.OutboundHttp;
import dev.parley.server.outbound.OutboundRefused;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the webhook outbox: claims due rows (leased to this node), POSTs each signed event through
 * {@link OutboundHttp} (the outbound rule again, DNS re-checked, no redirects), and retires the row on a 2xx.
 * Anything else is retried with exponential backoff (base doubling per attempt, at most an hour, ±20% jitter)
 * until the event is {@link IntegrationConfig#webhookRetryForMs()} old, then dropped and counted. Rows of one
 * webhook and conversation go one at a time in order (the store hands out only the oldest); different
 * conversations go in parallel, up to {@link IntegrationConfig#webhookConcurrency()} at once.
 *
 * <p>One loop per node on a virtual thread, each delivery on its own virtual thread. A node that dies
 * mid-delivery leaves its lease to run out; another node (or itself, restarted) delivers the row again:
 * at least once, receivers drop repeats by {@code id}.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final long MAX_BACKOFF_MS = 3_600_000;

    private final WebhookStore store;
    private final WebhookEvents events;
    private final OutboundHttp http;
    private final IntegrationConfig config;
    private final long leaseMs;
    private final Clock clock;
    private final String owner;
    private final boolean soleNode;
    private final Semaphore permits;
    private final LinkedBlockingQueue<Boolean> wake = new LinkedBlockingQueue<>();
    private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer latency;
    private final AtomicLong pendingSeen = new AtomicLong();
    private volatile boolean running = true;
    private Thread loop;

    /**
     * @param owner    this node's lease name (unique per process: a restarted node must not mistake old leases)
     * @param soleNode the store is not shared (SQLite): leases left by a previous run are released at start
     */
    public WebhookDispatcher(WebhookStore store, WebhookEvents events, OutboundHttp http, IntegrationConfig config,
                             OutboundConfig outbound, Clock clock, String owner, boolean soleNode,
                             MeterRegistry registry) {
        this.store = store;
        this.events = events;
        this.http = http;
        this.config = config;
        this.leaseMs = outbound.connectTimeoutMs() + outbound.requestTimeoutMs() + 10_000;
        this.clock = clock;
        this.owner = owner;
        this.soleNode = soleNode;
        this.permits = new Semaphore(config.webhookConcurrency());
        this.registry = registry;
        this.latency = Timer.builder("parley.webhook.delivery.latency")
                .description("from the event's commit to its delivery being acknowledged (retries included)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(24)).register(registry);
        Gauge.builder("parley.webhook.outbox.pending", pendingSeen, AtomicLong::get)
                .description("webhook deliveries waiting in the outbox (sampled by the delivery loop)")
                .register(registry);
    }

    public void start() {
        if (soleNode) {
            store.releaseAllLeases();
        }
        loop = Thread.ofVirtual().name("webhook-dispatcher").start(this::run);
    }

    // runs on: the dispatcher's own virtual thread
    private void run() {
        long lastCount = 0;
        while (running) {
            try {
                if (clock.millis() - lastCount > 5_000) {
                    pendingSeen.set(store.pending());
                    lastCount = clock.millis();
                }
                int free = permits.availablePermits();
                if (free == 0) {
                    wake.poll(config.webhookPollMs(), TimeUnit.MILLISECONDS);
                    continue;
                }
                long now = clock.millis();
                List<WebhookStore.Delivery> claimed = store.claim(owner, now, now + leaseMs, free);
                if (claimed.isEmpty()) {
                    wake.poll(config.webhookPollMs(), TimeUnit.MILLISECONDS);
                    continue;
                }
                for (WebhookStore.Delivery d : claimed) {
                    permits.acquire();
                    deliveries.execute(() -> {
                        try {
                            deliver(d);
                        } finally {
                            permits.release();
                            wake.offer(Boolean.TRUE); // the next row of its conversation may be due now
                        }
                    });
                }
                wake.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("webhook loop: {}", e.toString());
                sleepQuietly(config.webhookPollMs() * 4);
            }
        }
    }

    // runs on: a delivery's virtual thread
    void deliver(WebhookStore.Delivery d) {
        long now = clock.millis();
        if (now - d.createdAtMs() > config.webhookRetryForMs()) {
            store.drop(d.id(), owner);
            count("gave_up");
            log.warn("webhook delivery given up webhookId={} eventId={} attempts={}", d.webhookId(), d.eventId(),
                    d.attempts());
            return;
        }
        String failure;
        String outcome;
        try {
            byte[] body = events.body(d);
            long t = clock.millis() / 1000;
            var response = http.post(URI.create(d.url()), Map.of(
                    "Content-Type", "application/json",
                    "User-Agent", "Parley-Webhooks/1",
                    "Parley-Event-Id", d.eventId(),
                    "Parley-Event-Type", d.type(),
                    WebhookSignature.HEADER, WebhookSignature.header(d.secret(), t, body)), body);
            if (response.status() >= 200 && response.status() < 300) {
                store.delivered(d.id(), owner);
                count("delivered");
                latency.record(Math.max(0, clock.millis() - d.createdAtMs()), TimeUnit.MILLISECONDS);
                return;
            }
            failure = "HTTP " + response.status();
            outcome = "http_error";
        } catch (OutboundRefused e) {
            failure = "refused by the outbound rule: " + e.reason(); // e.g. the name now points inside
            outcome = "refused";
        } catch (IOException e) {
            failure = "transport: " + e.getClass().getSimpleName();
            outcome = "transport_error";
        } catch (RuntimeException e) {
            if (!running) {
                return;
            }
            failure = "internal: " + e.getClass().getSimpleName();
            outcome = "internal_error";
            log.warn("webhook delivery failed webhookId={} eventId={}", d.webhookId(), d.eventId(), e);
        }
        count(outcome);
        long due = clock.millis() + backoffMs(d.attempts());
        try {
            store.retryLater(d.id(), owner, due, failure);
        } catch (RuntimeException e) {
            log.warn("webhook retry not recorded eventId={} (the lease will run out): {}", d.eventId(), e.toString());
        }
        log.debug("webhook delivery failed webhookId={} eventId={} attempt={} reason={}", d.webhookId(), d.eventId(),
                d.attempts() + 1, failure);
    }

    long backoffMs(int attempts) {
        long base = config.webhookRetryBaseMs() << Math.min(attempts, 30);
        long capped = Math.min(MAX_BACKOFF_MS, base < 0 ? MAX_BACKOFF_MS : base);
        return (long) (capped * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("parley.webhook.deliveries")
                .description("webhook delivery attempts by outcome").tag("outcome", o).register(registry))
                .increment();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deliveries.shutdownNow();
        try {
            deliveries.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
