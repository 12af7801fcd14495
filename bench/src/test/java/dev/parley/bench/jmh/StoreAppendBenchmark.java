package dev.parley.bench.jmh;

import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.jdbc.CommitObserver;
import dev.parley.server.store.jdbc.WriteOp;
import dev.parley.server.store.Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable appends per second through the SQLite store's group commit: each invocation queues
 * {@value #IN_FLIGHT} appends across 100 conversations (as many concurrent senders would) and waits until
 * all are durable. Reported per append. {@code fsync=true} is the default server setting.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class StoreAppendBenchmark {
    static final int IN_FLIGHT = 512;
    private static final int CONVERSATIONS = 100;

    @Param({"true", "false"})
    public boolean fsync;

    /**
     * Whether the search index's triggers (sqlite V11) run in the writer's transaction; {@code false} drops them
     * after the migration, to measure what indexing costs an append.
     */
    @Param({"true", "false"})
    public boolean search;

    private Path dir;
    private Stores stores;
    private MessageStore store;
    private long counter;
    /** Like the load generator's bodies: a few unique words (sender, counter, time), padded to 200 bytes. */
    private String body(long n) {
        String head = "usr" + (n % 10) + "." + n + "." + System.nanoTime() + ".";
        return head + "x".repeat(Math.max(0, 200 - head.length()));
    }

    /**
     * Prints what the trial cost the process in file I/O per append (from {@code /proc/self/io}: bytes and
     * calls of write and read system calls, the WAL and checkpoint traffic included). Unlike the rate, these
     * do not move with the load of a shared machine.
     */
    private void ioPerAppend(long appends) throws IOException {
        Map<String, Long> now = readIo();
        if (appends == 0 || now.isEmpty()) {
            return;
        }
        System.out.printf("%n[io] fsync=%s search=%s appends=%d in %d commits (%.0f per commit); per append: %.0f bytes"
                        + " written in %.2f write calls, %.2f read calls%n", fsync, search, appends, batches.sum(),
                appends / (double) Math.max(1, batches.sum()),
                (now.get("wchar") - ioAtStart.getOrDefault("wchar", 0L)) / (double) appends,
                (now.get("syscw") - ioAtStart.getOrDefault("syscw", 0L)) / (double) appends,
                (now.get("syscr") - ioAtStart.getOrDefault("syscr", 0L)) / (double) appends);
        // CPU time moves much less with the machine's load than the rate does.
        System.out.printf("[cpu] fsync=%s search=%s: %.1f CPU-us per append (whole fork, warm-up included)%n", fsync,
                search, (cpuNanos() - cpuAtStart) / 1000.0 / appends);
    }

    private long cpuAtStart;

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private Map<String, Long> ioAtStart = Map.of();
    private final LongAdder batches = new LongAdder();

    private static Map<String, Long> readIo() throws IOException {
        Path io = Path.of("/proc/self/io");
        Map<String, Long> values = new HashMap<>();
        if (Files.isReadable(io)) {
            for (String line : Files.readAllLines(io)) {
                String[] kv = line.split(":\\s*");
                values.put(kv[0], Long.parseLong(kv[1].trim()));
            }
        }
        return values;
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("parley-jmh-store");
        stores = Stores.sqlite(dir.resolve("bench.db"), new StoreOptions(4, 512, fsync));
        store = stores.messages();
        if (!search) {
            stores.database().writeAndWait(new WriteOp.InTransaction<>("drop search triggers", tx -> {
                try (Statement s = tx.connection().createStatement()) {
                    s.execute("DROP TRIGGER search_index_message");
                    s.execute("DROP TRIGGER search_index_edit");
                }
                return null;
            }));
        }
        for (int c = 0; c < CONVERSATIONS; c++) {
            store.createConversation(new Conversation("cnv_" + c, ConversationKind.GROUP, null, false, 0, "usr_0", null, 0,
                    List.of("usr_0", "usr_1")));
        }
        stores.database().observeCommits(new CommitObserver() {
            @Override
            public void batchCommitted(int writes, long commitNanos) {
                batches.increment();
            }

            @Override
            public void entryStored(String kind, long durableNanos) {
            }
        });
        ioAtStart = readIo();
        cpuAtStart = cpuNanos();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        stores.close();
        ioPerAppend(counter);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void appendGroupCommitted() {
        CompletableFuture<?>[] pending = new CompletableFuture<?>[IN_FLIGHT];
        long now = System.currentTimeMillis();
        for (int i = 0; i < IN_FLIGHT; i++) {
            long n = counter++;
            pending[i] = store.append(NewEntry.of(EntryKind.TEXT, "cnv_" + (n % CONVERSATIONS), "msg_" + n, now)
                    .from("usr_0", "dev_" + (n % 64)).clientMsgId("c" + n).body(body(n)).build());
        }
        CompletableFuture.allOf(pending).join();
    }
}
