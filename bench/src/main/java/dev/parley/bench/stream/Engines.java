package dev.parley.bench.stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One "node" per engine: its own connections, publishing to per-conversation topics and receiving the topics
 * it follows, the way the Parley bus adapters use each engine (Redis: one channel per topic; JetStream: one
 * stream over {@code bench.>}, every node an ordered consumer; Kafka: one topic of 8 partitions keyed by
 * conversation, every node reading all partitions from the end).
 */
final class Engines {
    private Engines() {
    }

    interface Node extends AutoCloseable {
        /** Publishes; {@code id} makes a retried publish recognisable (JetStream de-duplicates by it). */
        void publish(String topic, String id, String payload);

        void subscribe(List<String> topics, Consumer<String> handler) throws Exception;

        @Override
        void close();
    }

    static Node redis(String url) {
        RedisClient client = RedisClient.create(url);
        StatefulRedisConnection<String, String> pub = client.connect();
        StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
        return new Node() {
            @Override
            public void publish(String topic, String id, String payload) {
                pub.async().publish("bench:" + topic, payload);
            }

            @Override
            public void subscribe(List<String> topics, Consumer<String> handler) {
                sub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        handler.accept(message);
                    }
                });
                sub.sync().subscribe(topics.stream().map(t -> "bench:" + t).toArray(String[]::new));
            }

            @Override
            public void close() {
                pub.close();
                sub.close();
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        };
    }

    static void createNatsStream(String url) throws Exception {
        try (Connection c = Nats.connect(url)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("BENCH").subjects("bench.>")
                    .storageType(StorageType.File).maxAge(Duration.ofMinutes(10))
                    .duplicateWindow(Duration.ofMinutes(2)).build());
        }
    }

    static Node jetstream(String url) throws Exception {
        var resume = new java.util.concurrent.atomic.AtomicReference<Runnable>(() -> { });
        var resumer = java.util.concurrent.Executors.newSingleThreadExecutor();
        Connection c = Nats.connect(new Options.Builder().server(url).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(50)).connectionTimeout(Duration.ofSeconds(2))
                .connectionListener((conn, type) -> {
                    if (type == io.nats.client.ConnectionListener.Events.RECONNECTED) {
                        resumer.execute(() -> resume.get().run());
                    }
                }).build());
        JetStream js = c.jetStream();
        Semaphore inFlight = new Semaphore(4_000);
        List<AutoCloseable> consumers = new ArrayList<>();
        return new Node() {
            @Override
            public void publish(String topic, String id, String payload) {
                inFlight.acquireUninterruptibly();
                send(topic, id, payload, 0);
            }

            private void send(String topic, String id, String payload, int attempt) {
                Headers h = new Headers().put("Nats-Msg-Id", id);
                CompletableFuture<?> f;
                try {
                    f = js.publishAsync(NatsMessage.builder().subject("bench." + topic).headers(h)
                            .data(payload.getBytes(StandardCharsets.UTF_8)).build());
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                f.whenComplete((ack, failure) -> {
                    if (failure == null || attempt >= 300) {
                        inFlight.release();
                    } else {
                        CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS)
                                .execute(() -> send(topic, id, payload, attempt + 1));
                    }
                });
            }

            @Override
            public void subscribe(List<String> topics, Consumer<String> handler) throws Exception {
                java.util.Set<String> wanted = java.util.Set.copyOf(topics.stream().map(t -> "bench." + t).toList());
                var stream = c.getStreamContext("BENCH");
                var last = new java.util.concurrent.atomic.AtomicLong(stream.getStreamInfo().getStreamState()
                        .getLastSequence());
                var current = new java.util.concurrent.atomic.AtomicReference<AutoCloseable>();
                Runnable start = () -> {
                    for (int attempt = 0; attempt < 600; attempt++) {
                        try {
                            AutoCloseable old = current.getAndSet(null);
                            if (old != null) {
                                old.close();
                            }
                            var ctx = stream.createOrderedConsumer(new OrderedConsumerConfiguration()
                                    .filterSubject("bench.>").deliverPolicy(DeliverPolicy.ByStartSequence)
                                    .startSequence(last.get() + 1));
                            current.set(ctx.consume(m -> {
                                long seq = m.metaData().streamSequence();
                                if (seq <= last.get()) {
                                    return;
                                }
                                last.set(seq);
                                if (wanted.contains(m.getSubject())) {
                                    handler.accept(new String(m.getData(), StandardCharsets.UTF_8));
                                }
                            }));
                            return;
                        } catch (Exception e) {
                            try {
                                Thread.sleep(100);
                            } catch (InterruptedException ie) {
                                return;
                            }
                        }
                    }
                };
                start.run();
                resume.set(start);
                consumers.add(() -> {
                    AutoCloseable a = current.get();
                    if (a != null) {
                        a.close();
                    }
                });
            }

            @Override
            public void close() {
                for (AutoCloseable a : consumers) {
                    try {
                        a.close();
                    } catch (Exception ignored) {
                        // closing
                    }
                }
                resumer.shutdownNow();
                try {
                    c.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    static void createKafkaTopic(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic("bench-events", 8, (short) 1))).all().get();
        }
    }

    static Node kafka(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        // send() blocks while it has no metadata for the topic (60 s by default): bounded, so an outage costs
        // at most this per publish instead of stalling the publisher.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        List<Thread> pollers = new ArrayList<>();
        var running = new java.util.concurrent.atomic.AtomicBoolean(true);
        return new Node() {
            @Override
            public void publish(String topic, String id, String payload) {
                try {
                    producer.send(new ProducerRecord<>("bench-events", topic, payload));
                } catch (RuntimeException e) {
                    // timed out waiting for metadata: counted as lost by the harness
                }
            }

            @Override
            public void subscribe(List<String> topics, Consumer<String> handler) throws Exception {
                Properties c = new Properties();
                c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
                c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
                c.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                        new StringDeserializer());
                List<TopicPartition> parts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    parts.add(new TopicPartition("bench-events", i));
                }
                consumer.assign(parts);
                consumer.seekToEnd(parts);
                parts.forEach(consumer::position); // resolve the end now, before anything is published
                java.util.Set<String> wanted = java.util.Set.copyOf(topics);
                CompletableFuture<Void> started = new CompletableFuture<>();
                Thread t = Thread.ofPlatform().daemon().start(() -> {
                    started.complete(null);
                    while (running.get()) {
                        for (var r : consumer.poll(Duration.ofMillis(100))) {
                            if (wanted.contains(r.key())) {
                                handler.accept(r.value());
                            }
                        }
                    }
                    consumer.close(Duration.ofSeconds(1));
                });
                started.get();
                pollers.add(t);
            }

            @Override
            public void close() {
                running.set(false);
                for (Thread t : pollers) {
                    try {
                        t.join(3_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                producer.close(Duration.ofSeconds(2));
            }
        };
    }
}
