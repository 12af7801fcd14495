package dev.parley.server.store;

import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.EntryKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Append throughput of the SQL stores, measured, never asserted: 64 senders that each wait for their
 * append to be durable before the next (as a client waits for {@code sent}), 20,000 appends across 100
 * conversations. Run with
 * {@code ./mvnw -pl server test -Dtest=StoreBenchmark -Dparley.bench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "parley.bench", matches = "true")
class StoreBenchmark {
    private static final int APPENDS = Integer.getInteger("parley.bench.appends", 20_000);
    private static final int THREADS = Integer.getInteger("parley.bench.threads", 64);
    private static final int CONVERSATIONS = 100;

    @Test
    void sqliteWithFsync() throws Exception {
        Path dir = Files.createTempDirectory("parley-bench");
        try (Stores stores = Stores.sqlite(dir.resolve("bench.db"), new StoreOptions(8, 256, true))) {
            run("sqlite, fsync each commit", stores.messages());
        }
    }

    @Test
    void sqliteWithoutFsync() throws Exception {
        Path dir = Files.createTempDirectory("parley-bench");
        try (Stores stores = Stores.sqlite(dir.resolve("bench.db"), new StoreOptions(8, 256, false))) {
            run("sqlite, synchronous=NORMAL", stores.messages());
        }
    }

    @Test
    void postgres() throws Exception {
        try (TestDatabases.PostgresSchema schema = TestDatabases.freshPostgresSchema();
             Stores stores = Stores.postgres(schema.url(), new StoreOptions(8, 256, true))) {
            run("postgres, synchronous_commit=on", stores.messages());
        }
    }

    private static void run(String label, MessageStore store) throws Exception {
        for (int c = 0; c < CONVERSATIONS; c++) {
            store.createConversation(new Conversation("cnv_" + c, "group", null, false, 0, "usr_0", null, 0,
                    List.of("usr_0", "usr_1")));
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> senders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String device = "dev_" + t;
            senders.add(pool.submit(() -> {
                start.await();
                for (int i = next.getAndIncrement(); i < APPENDS; i = next.getAndIncrement()) {
                    store.append(new NewEntry("cnv_" + (i % CONVERSATIONS), "msg_" + i, "usr_0", device, "c" + i,
                            EntryKind.TEXT, "benchmark message number " + i, null, null, null, null, null, null,
                            null, null, System.currentTimeMillis())).join();
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<?> sender : senders) {
            sender.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf(Locale.ROOT, "%-34s %,d appends from %d threads over %d conversations in %.2f s:"
                + " %,.0f appends/s%n", label, APPENDS, THREADS, CONVERSATIONS, seconds, APPENDS / seconds);
    }
}
