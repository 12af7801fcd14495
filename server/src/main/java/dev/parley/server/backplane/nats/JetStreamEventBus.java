package dev.parley.server.backplane.nats;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.Json;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus on a NATS JetStream stream: durable, so a node that was cut off reads what it missed from the
 * stream instead of losing it (docs/scaling.md, "The durable stream bus").
 *
 * <p>One stream per cluster ({@code <PREFIX>_EVENTS}, file storage, kept {@code retention}) captures the subjects
 * {@code <prefix>.>}; a topic {@code c.cnv_1} is the subject {@code <prefix>.c.cnv_1}. Events travel as the JSON
 * of {@link BusEvent}. A publish is acknowledged by the server once stored; each carries a
 * {@code Nats-Msg-Id}, so a publish retried after a lost acknowledgement is stored once (the stream's
 * duplicate window). While the server is away publishes wait in the client and are retried (bounded by
 * {@link #MAX_IN_FLIGHT}; beyond that they are dropped and receivers heal from the store).
 *
 * <p>Every node reads the whole stream through one ordered consumer from where the stream ended when the node
 * started, and hands each event to the local handlers of its topic (events of topics without handlers are skipped
 * before decoding). The node remembers the stream sequence of the last event it read; after a reconnect it makes
 * a new consumer starting right after it, so events stored while this node was cut off arrive late, in order,
 * once; then the {@link #onReconnect} listeners run. If the stream lost them (the server came back without its
 * data, or retention passed) the {@link #onLostHistory} listeners run first.
 *
 * <p>Deliveries run on one client thread in stream order, which is the publish order of each publisher (one
 * connection), except around an outage: a publish that failed when the server went away is retried on its own and
 * can be stored after publishes made later (each is still stored once). Receivers do not depend on the bus's
 * order: entries carry their {@code seq}, and the gap healing above the bus reads a missing one from the store
 * and drops repeats. Handlers must not block.
 */
public final class JetStreamEventBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(JetStreamEventBus.class);
    private static final ObjectMapper MAPPER = Json.mapper();
    /** Publishes waiting for the server's acknowledgement; beyond this they are dropped (the store heals). */
    static final int MAX_IN_FLIGHT = 50_000;
    /** The stream's duplicate window: a retried publish within it is stored once. */
    private static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(2);
    /** How long a publish is retried while the server is away: well inside the duplicate window. */
    private static final long RETRY_FOR_MS = 90_000;

    private final Connection connection;
    private final JetStream js;
    private final String stream;
    private final String base;
    private final Duration retention;
    private final String publisherId = UUID.randomUUID().toString();
    private final AtomicLong published = new AtomicLong();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final ScheduledExecutorService worker;
    private final Map<String, CopyOnWriteArrayList<Consumer<BusEvent>>> topics = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> lostHistoryListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong publishFailures = new AtomicLong();
    /** Stream sequence of the last event read; the next consumer starts after it. Written on the delivery thread. */
    private final AtomicLong lastRead = new AtomicLong();
    private volatile MessageConsumer consumer;
    private volatile long lastFailureLogMs;
    private volatile boolean closed;

    /**
     * Connects to {@code url} ({@code nats://host:port}, several comma-separated), creates the stream if it does
     * not exist and starts reading at its end.
     *
     * @param prefix    names the stream and prefixes the subjects, so clusters can share a NATS server
     * @param retention how long the stream keeps events: the longest outage a node recovers from by replay
     * @throws IllegalStateException if the server cannot be reached or refuses the stream
     */
    public JetStreamEventBus(String url, String prefix, Duration retention) {
        String token = prefix.replaceAll("[^A-Za-z0-9_-]", "");
        if (token.isEmpty()) {
            throw new IllegalArgumentException("bus.prefix must contain a letter or digit for bus.type jetstream");
        }
        this.base = token;
        this.stream = token.toUpperCase(java.util.Locale.ROOT) + "_EVENTS";
        this.retention = retention;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-jetstream");
            t.setDaemon(true);
            return t;
        });
        Options options = new Options.Builder().servers(url.split(",")).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(100)).connectionTimeout(Duration.ofSeconds(2))
                .connectionName("parley").connectionListener(this::connectionEvent)
                .errorListener(new io.nats.client.ErrorListener() {
                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        log.debug("NATS: {}", exp.toString());
                    }
                }).build();
        try {
            this.connection = Nats.connect(options);
            this.js = connection.jetStream();
            StreamInfo info = ensureStream();
            lastRead.set(info.getStreamState().getLastSequence());
            startConsumer();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            worker.shutdownNow();
            throw new IllegalStateException("cannot use NATS JetStream at " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
        log.info("connected to NATS JetStream at {} (stream {}, subjects {}.>, kept {})", url, stream, base,
                retention);
    }

    private StreamInfo ensureStream() throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        try {
            return jsm.getStreamInfo(stream);
        } catch (JetStreamApiException notFound) {
            try {
                return jsm.addStream(StreamConfiguration.builder().name(stream).subjects(base + ".>")
                        .storageType(StorageType.File).maxAge(retention)
                        .duplicateWindow(DUPLICATE_WINDOW).build());
            } catch (JetStreamApiException raced) {
                return jsm.getStreamInfo(stream); // another node created it meanwhile
            }
        }
    }

    /** (Re)creates this node's consumer right after the last event read. */
    private void startConsumer() throws IOException, JetStreamApiException {
        MessageConsumer old = consumer;
        if (old != null) {
            try {
                old.close();
            } catch (Exception e) {
                log.debug("closing the previous consumer: {}", e.toString());
            }
        }
        consumer = connection.getStreamContext(stream).createOrderedConsumer(new OrderedConsumerConfiguration()
                        .filterSubject(base + ".>").deliverPolicy(DeliverPolicy.ByStartSequence)
                        .startSequence(lastRead.get() + 1))
                .consume(this::deliver);
    }

    private void connectionEvent(Connection conn, ConnectionListener.Events type) {
        if (type == ConnectionListener.Events.RECONNECTED && !closed) {
            log.info("NATS is back: reading the stream from sequence {}", lastRead.get() + 1);
            worker.execute(() -> resume(0));
        }
    }

    /** After a reconnect: a new consumer from where this node stopped reading; retried until it works. */
    private void resume(int attempt) {
        if (closed) {
            return;
        }
        try {
            StreamInfo info = ensureStream();
            boolean lost = info.getStreamState().getLastSequence() < lastRead.get()
                    || info.getStreamState().getFirstSequence() > lastRead.get() + 1;
            if (lost) {
                log.warn("stream {} no longer holds what this node missed (it ends at {}, this node read up to {});"
                        + " conversation topics heal from the store", stream,
                        info.getStreamState().getLastSequence(), lastRead.get());
                lastRead.set(info.getStreamState().getLastSequence());
            }
            startConsumer();
            log.info("reading stream {} again from sequence {} (attempt {})", stream, lastRead.get() + 1, attempt + 1);
            if (lost) {
                fire(lostHistoryListeners);
            }
            fire(reconnectListeners);
        } catch (Exception e) {
            log.debug("resuming the stream failed (attempt {}): {}", attempt, e.toString());
            // JetStream needs a moment after a restart to load its streams: retry briskly, then every second.
            worker.schedule(() -> resume(attempt + 1), attempt < 20 ? 100 : 1_000, TimeUnit.MILLISECONDS);
        }
    }

    private static void fire(List<Runnable> listeners) {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("stream listener failed", e);
            }
        }
    }

    @Override
    public void publish(String topic, BusEvent event) {
        if (closed) {
            return;
        }
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(event);
        } catch (Exception e) {
            log.error("cannot encode bus event {}", event.getClass().getSimpleName(), e);
            return;
        }
        if (!inFlight.tryAcquire()) {
            publishFailed(topic, new IllegalStateException(MAX_IN_FLIGHT + " publishes waiting for NATS"));
            return;
        }
        Message message = NatsMessage.builder().subject(base + "." + topic)
                .headers(new Headers().put("Nats-Msg-Id", publisherId + "-" + published.incrementAndGet()))
                .data(json).build();
        send(message, System.currentTimeMillis());
    }

    private void send(Message message, long since) {
        CompletableFuture<?> ack;
        try {
            ack = js.publishAsync(message);
        } catch (RuntimeException e) {
            ack = CompletableFuture.failedFuture(e);
        }
        ack.whenComplete((a, failure) -> {
            if (failure == null) {
                inFlight.release();
            } else if (closed || System.currentTimeMillis() - since > RETRY_FOR_MS) {
                inFlight.release();
                publishFailed(message.getSubject(), failure);
            } else {
                // Same Nats-Msg-Id: if the first attempt was stored after all, the stream keeps one copy.
                try {
                    worker.schedule(() -> send(message, since), 200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    inFlight.release();
                }
            }
        });
    }

    private void publishFailed(String topic, Throwable failure) {
        long n = publishFailures.incrementAndGet();
        long now = System.currentTimeMillis();
        if (now - lastFailureLogMs > 5_000) {
            lastFailureLogMs = now;
            log.warn("publish to NATS failed ({}, {} failures so far): {}; receivers heal from the store", topic, n,
                    failure.toString());
        }
    }

    @Override
    public Subscription subscribe(String topic, Consumer<BusEvent> handler) {
        synchronized (this) {
            topics.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
        }
        return new Subscription() {
            private boolean done;

            @Override
            public void close() {
                synchronized (JetStreamEventBus.this) {
                    if (done) {
                        return;
                    }
                    done = true;
                    var handlers = topics.get(topic);
                    if (handlers != null && handlers.remove(handler) && handlers.isEmpty()) {
                        topics.remove(topic);
                    }
                }
            }
            // ready(): complete at once. The node's consumer reads every subject of the stream from a point
            // before this call, so any event published after it reaches the handler.
        };
    }

    private void deliver(Message m) {
        long seq = m.metaData().streamSequence();
        if (seq <= lastRead.get()) {
            return; // a previous consumer already delivered it
        }
        lastRead.set(seq);
        String subject = m.getSubject();
        if (subject.length() <= base.length() + 1) {
            return;
        }
        String topic = subject.substring(base.length() + 1);
        var handlers = topics.get(topic);
        if (handlers == null || handlers.isEmpty()) {
            return;
        }
        BusEvent event;
        try {
            event = MAPPER.readValue(m.getData(), BusEvent.class);
        } catch (Exception e) {
            log.warn("ignoring an undecodable event on topic {}: {}", topic, e.toString());
            return;
        }
        for (Consumer<BusEvent> handler : handlers) {
            try {
                handler.accept(event);
            } catch (RuntimeException e) {
                log.warn("bus handler failed on topic {} for {}", topic, event.getClass().getSimpleName(), e);
            }
        }
    }

    /**
     * Runs {@code listener} (on the bus's worker thread; it must not block) each time this node is reading the
     * stream again after NATS was unreachable. Nothing was lost then, but state kept outside the bus may be stale.
     */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** Runs {@code listener} when the stream no longer held events this node had not read yet. */
    public void onLostHistory(Runnable listener) {
        lostHistoryListeners.add(listener);
    }

    /** Topics with at least one local handler. */
    public int topicCount() {
        return topics.size();
    }

    /** Publishes given up on since start (for metrics). */
    public long publishFailures() {
        return publishFailures.get();
    }

    /** The stream's name on the server. */
    public String streamName() {
        return stream;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            topics.clear();
        }
        worker.shutdownNow();
        try {
            MessageConsumer c = consumer;
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            log.debug("closing the consumer: {}", e.toString());
        }
        try {
            connection.flush(Duration.ofSeconds(2));
        } catch (Exception e) {
            log.debug("flushing NATS: {}", e.toString());
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
