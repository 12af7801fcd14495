package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three clients in one group each send N messages while a proxy in front of each one cuts, stalls and
 * black-holes their connections at random (seeded) moments. Afterwards every client holds the same 3N
 * entries, each once, in {@code seq} order; every sender's messages are in the order it sent them; every
 * outbox is empty. Also measures the median time from network recovery to caught-up.
 *
 * <p>{@code -Dparley.chaos.messages=1000} for the full run; {@code -Dparley.chaos.seed} to replay one.
 */
class ChaosIT {
    static final int N = Integer.getInteger("parley.chaos.messages", 300);
    static final long SEED = Long.getLong("parley.chaos.seed", System.nanoTime());

    @TempDir
    Path dir;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() {
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    @Test
    void threeClientsConvergeOnTheSameLogWhileTheNetworkMisbehaves() throws Exception {
        System.out.printf("chaos: N=%d seed=%d%n", N, SEED);
        TestServer server = closing(new TestServer(dir.resolve("server")));
        String[] names = {"ann", "ben", "cat"};
        ChaosProxy[] proxies = new ChaosProxy[3];
        Recorder[] seen = new Recorder[3];
        ParleyClient[] clients = new ParleyClient[3];
        for (int i = 0; i < 3; i++) {
            proxies[i] = closing(new ChaosProxy(server.port()));
            seen[i] = new Recorder();
            clients[i] = closing(TestServer.client(proxies[i].url(), dir.resolve(names[i] + ".db"), names[i], SEED + i,
                    seen[i]).build());
            TestServer.signUpAndConnect(clients[i], names[i]);
        }
        String conv = clients[0].createGroup("chaos", List.of(clients[1].userId().orElseThrow(),
                clients[2].userId().orElseThrow())).conversationId();
        String token = clients[0].token();

        java.util.Map<String, List<Long>> recoveries = new java.util.concurrent.ConcurrentHashMap<>();
        List<Chaos> monkeys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Chaos chaos = new Chaos(proxies[i], clients[i], new Random(new java.util.SplittableRandom(SEED * 31 + i).nextLong()), () -> server.lastSeq(token, conv),
                    conv, recoveries);
            monkeys.add(chaos);
            chaos.start();
        }

        long started = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ParleyClient c = clients[i];
            String name = names[i];
            Random pace = new Random(new java.util.SplittableRandom(SEED + 100 + i).nextLong());
            senders.add(Thread.ofVirtual().start(() -> {
                for (int k = 0; k < N; k++) {
                    c.send(conv, name + ":" + k);
                    sleep(pace.nextInt(20));
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        // Keep misbehaving until every outbox has drained through the chaos.
        await().atMost(Duration.ofSeconds(60 + N / 5)).pollInterval(Duration.ofMillis(50))
                .until(() -> clients[0].outboxSize() + clients[1].outboxSize() + clients[2].outboxSize() == 0);
        for (Chaos m : monkeys) {
            m.stop();
        }
        int total = 3 * N;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (ParleyClient c : clients) {
                if (c.conversation(conv).map(ConversationInfo::lastSeq).orElse(0L) < total) {
                    return false;
                }
            }
            return true;
        });
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // Listener callbacks trail the store commits slightly (they run on the callback thread).
        await().atMost(Duration.ofSeconds(30)).until(() -> java.util.Arrays.stream(seen)
                .allMatch(r -> r.entries(conv).size() >= total));

        List<Message> reference = clients[0].entries(conv);
        assertThat(reference).extracting(Message::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        for (int i = 0; i < 3; i++) {
            List<Message> held = clients[i].entries(conv);
            assertThat(held).extracting(Message::messageId)
                    .containsExactlyElementsOf(reference.stream().map(Message::messageId).toList());
            // What the app saw: every entry once, in seq order.
            assertThat(seen[i].entries(conv)).extracting(Message::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(clients[i].outboxSize()).isZero();
            try (LocalStore onDisk = new LocalStore(dir.resolve(names[i] + ".db"), false)) {
                assertThat(onDisk.outboxSize()).isZero();
            }
            // Each sender's messages appear once each, in the order they were sent.
            String prefix = names[i] + ":";
            assertThat(held.stream().map(Message::body).filter(b -> b.startsWith(prefix)).toList())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, N).mapToObj(k -> prefix + k).toList());
        }
        assertThat(reference.stream().map(Message::clientMsgId).distinct().count()).isEqualTo(total);

        int faults = monkeys.stream().mapToInt(m -> m.faults).sum();
        List<Long> sorted = new ArrayList<>(recoveries.values().stream().flatMap(List::stream).toList());
        Collections.sort(sorted);
        System.out.printf("chaos: %d messages from 3 clients converged in %d ms through %d faults %s%n", total,
                elapsedMs, faults, monkeys.stream().map(Chaos::summary).toList());
        if (!sorted.isEmpty()) {
            System.out.printf("chaos: network recovery -> caught up: median %d ms, p90 %d ms, max %d ms over %d "
                            + "recoveries (%d cut short by the next fault)%n",
                    sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.9)), sorted.get(sorted.size() - 1),
                    sorted.size(), monkeys.stream().mapToInt(m -> m.discarded).sum());
            recoveries.forEach((kind, list) -> {
                List<Long> l = new ArrayList<>(list);
                Collections.sort(l);
                System.out.printf("chaos:   after %s: median %d ms over %d%n", kind, l.get(l.size() / 2), l.size());
            });
        }
        assertThat(faults).isPositive();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Misbehaves on one client's proxy at random moments and times each recovery. */
    static final class Chaos {
        private final ChaosProxy proxy;
        private final ParleyClient client;
        private final Random random;
        private final java.util.function.LongSupplier serverLastSeq;
        private final String conv;
        private final java.util.Map<String, List<Long>> recoveries;
        private volatile boolean running = true;
        private volatile long faultEpoch;
        private Thread thread;
        int faults;
        int discarded;
        int cuts;
        int stalls;
        int blackholes;

        Chaos(ChaosProxy proxy, ParleyClient client, Random random, java.util.function.LongSupplier serverLastSeq,
              String conv, java.util.Map<String, List<Long>> recoveries) {
            this.proxy = proxy;
            this.client = client;
            this.random = random;
            this.serverLastSeq = serverLastSeq;
            this.conv = conv;
            this.recoveries = recoveries;
        }

        void start() {
            thread = Thread.ofPlatform().daemon().name("chaos-monkey").start(this::run);
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
            proxy.mode(ChaosProxy.Mode.PASS);
        }

        String summary() {
            return cuts + " cuts/" + stalls + " stalls/" + blackholes + " black holes";
        }

        private void run() {
            try {
                Thread.sleep(100 + random.nextInt(500));
                // Every kind of fault at least once (in random order), then at random.
                List<Integer> firstDice = new ArrayList<>(List.of(0, 50, 90));
                Collections.shuffle(firstDice, random);
                while (running) {
                    faultEpoch++;
                    faults++;
                    int dice = firstDice.isEmpty() ? random.nextInt(100) : firstDice.remove(0);
                    if (dice < 40) {
                        cuts++;
                        proxy.mode(ChaosProxy.Mode.REFUSE);
                        proxy.cutAll();
                        Thread.sleep(random.nextInt(800));
                    } else if (dice < 70) {
                        blackholes++;
                        proxy.mode(ChaosProxy.Mode.BLACKHOLE);
                        proxy.blackholeAll();
                        Thread.sleep(200 + random.nextInt(1_300));
                    } else {
                        stalls++;
                        long d = 50 + random.nextInt(1_500);
                        proxy.stallAll(Duration.ofMillis(d));
                        Thread.sleep(d);
                    }
                    proxy.mode(ChaosProxy.Mode.PASS);
                    java.util.concurrent.CompletableFuture<Void> recovered =
                            measureRecovery(faultEpoch, dice < 40 ? "cut" : dice < 70 ? "black hole" : "stall");
                    if (random.nextInt(100) < 75) {
                        // Mostly let the client recover before the next blow; sometimes strike mid-recovery.
                        try {
                            recovered.get(10, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                            // measured as cut short
                        }
                    }
                    Thread.sleep(200 + random.nextInt(1_000));
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }

        /** From now (the network is healthy again) until the client holds what the server had at this moment. */
        private java.util.concurrent.CompletableFuture<Void> measureRecovery(long epoch, String kind) {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            long t0 = System.nanoTime();
            long target;
            try {
                target = serverLastSeq.getAsLong();
            } catch (RuntimeException e) {
                done.complete(null);
                return done;
            }
            Thread.ofVirtual().start(() -> {
                while (running && faultEpoch == epoch) {
                    if (client.connectionState().isOnline()
                            && client.conversation(conv).map(ConversationInfo::lastSeq).orElse(0L) >= target) {
                        recoveries.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>())
                                .add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                        done.complete(null);
                        return;
                    }
                    sleep(2);
                }
                synchronized (this) {
                    discarded++;
                }
                done.complete(null);
            });
            return done;
        }
    }
}
