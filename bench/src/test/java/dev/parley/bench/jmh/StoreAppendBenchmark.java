package dev.parley.bench.jmh;

import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Uuid7;
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
 * Durable appends per second through the SQLite (or PostgreSQL, {@code -p store=postgres}) store's group
 * commit: each invocation queues
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

    /**
     * {@code sqlite} (a file in a temporary folder) or {@code postgres}: a fresh schema, dropped after the trial,
     * in the server at {@code -Dparley.bench.pg=<jdbc url>} (default {@value #PG_URL}). With {@code postgres},
     * {@code search=false} is not supported and {@code [io]} and {@code [cpu]} also report the writer's backend
     * process (its {@code /proc/<pid>/io} and CPU time; reading them needs the rights to, e.g. root).
     */
    @Param({"sqlite"})
    public String store;

    /**
     * How senders pick their {@code clientMsgId}s: {@code v7} (a time-ordered UUID, {@code Uuid7}, as every Parley
     * client and the load generator send: on SQLite, whose idempotency index leads with the client's id (V19), new
     * keys of every sender arrive at the index's right edge), {@code ordered} (a short counter, {@code c<n>}, what the
     * load generator sent before) or {@code random} (a random v4 UUID, what the Java SDK sent before: each new key
     * lands at a random place in the index).
     */
    @Param({"v7"})
    public String clientIds;

    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private String pgSchema;
    private long backendPid;
    private Map<String, Long> backendIoAtStart = Map.of();
    private long backendCpuAtStart;

    private Path dir;
    private Stores stores;
    private MessageStore messages;
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
        System.out.printf("%n[io] store=%s clientIds=%s fsync=%s search=%s appends=%d in %d commits (%.0f per commit); per append: %.0f bytes"
                        + " written in %.2f write calls, %.2f read calls%n", store, clientIds, fsync, search, appends, batches.sum(),
                appends / (double) Math.max(1, batches.sum()),
                (now.get("wchar") - ioAtStart.getOrDefault("wchar", 0L)) / (double) appends,
                (now.get("syscw") - ioAtStart.getOrDefault("syscw", 0L)) / (double) appends,
                (now.get("syscr") - ioAtStart.getOrDefault("syscr", 0L)) / (double) appends);
        // CPU time moves much less with the machine's load than the rate does.
        System.out.printf("[cpu] fsync=%s search=%s: %.1f CPU-us per append (whole fork, warm-up included)%n", fsync,
                search, (cpuNanos() - cpuAtStart) / 1000.0 / appends);
        // The writer thread is the one that bounds the rate: its CPU time per append is the figure to lower.
        storeThreadsCpu.forEach((name, nanos) -> System.out.printf("[cpu] %s: %.1f CPU-us per append%n", name,
                nanos / 1000.0 / appends));
        if (backendPid > 0) {
            Map<String, Long> io = readIo(Path.of("/proc/" + backendPid + "/io"));
            if (!io.isEmpty()) {
                System.out.printf("[io] postgres writer backend %d: per append %.0f bytes written in %.2f write calls,"
                                + " %.2f read calls%n", backendPid,
                        (io.get("wchar") - backendIoAtStart.getOrDefault("wchar", 0L)) / (double) appends,
                        (io.get("syscw") - backendIoAtStart.getOrDefault("syscw", 0L)) / (double) appends,
                        (io.get("syscr") - backendIoAtStart.getOrDefault("syscr", 0L)) / (double) appends);
            }
            System.out.printf("[cpu] postgres writer backend %d: %.1f CPU-us per append%n", backendPid,
                    (backendCpuNanos - backendCpuAtStart) / 1000.0 / appends);
        }
    }

    private long backendCpuNanos;

    /** utime + stime of a process, from {@code /proc/<pid>/stat} (clock ticks of 10 ms). */
    private static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU time of the store's own threads (writer, commits, checkpoints) since {@link #open}, by name. */
    private final Map<String, Long> storeThreadsCpu = new java.util.TreeMap<>();
    private final Map<Long, Long> threadCpuAtStart = new HashMap<>();

    private static Map<Thread, Long> storeThreads() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Thread, Long> cpu = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("parley-sqlite-") || t.getName().startsWith("parley-postgres-")) {
                cpu.put(t, mx.getThreadCpuTime(t.threadId()));
            }
        }
        return cpu;
    }

    private long cpuAtStart;

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private Map<String, Long> ioAtStart = Map.of();
    private final LongAdder batches = new LongAdder();

    private static Map<String, Long> readIo() throws IOException {
        return readIo(Path.of("/proc/self/io"));
    }

    private static Map<String, Long> readIo(Path io) throws IOException {
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
        if (store.equals("postgres")) {
            if (!search) {
                throw new IllegalArgumentException("search=false is only supported with store=sqlite");
            }
            String base = System.getProperty("parley.bench.pg", PG_URL);
            pgSchema = "jmh_" + Long.toHexString(System.nanoTime());
            pg(base, "CREATE SCHEMA " + pgSchema);
            String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + pgSchema;
            stores = Stores.postgres(url, new StoreOptions(4, 512, fsync));
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(base);
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT pid FROM pg_stat_activity"
                         + " WHERE application_name = 'parley-writer " + pgSchema + "'")) {
                backendPid = rs.next() ? rs.getLong(1) : 0;
            } catch (java.sql.SQLException e) {
                throw new IOException(e);
            }
        } else {
            stores = Stores.sqlite(dir.resolve("bench.db"), new StoreOptions(4, 512, fsync));
        }
        messages = stores.messages();
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
            messages.createConversation(new Conversation("cnv_" + c, ConversationKind.GROUP, null, false, 0, "usr_0", null, 0,
                    List.of("usr_0", "usr_1")));
        }
        stores.database().observeCommits(new CommitObserver() {
            @Override
            public void batchCommitted(int writes, long commitNanos, long handOffNanos) {
                batches.increment();
            }

            @Override
            public void entryStored(String kind, long waitedNanos, long durableNanos) {
            }
        });
        ioAtStart = readIo();
        cpuAtStart = cpuNanos();
        storeThreads().forEach((t, nanos) -> threadCpuAtStart.put(t.threadId(), nanos));
        if (backendPid > 0) {
            backendIoAtStart = readIo(Path.of("/proc/" + backendPid + "/io"));
            backendCpuAtStart = processCpuNanos(backendPid);
        }
    }

    private static void pg(String url, String sql) throws IOException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IOException(sql + " failed", e);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        // Before closing: the threads end with the store.
        storeThreads().forEach((t, nanos) -> storeThreadsCpu.merge(t.getName(),
                nanos - threadCpuAtStart.getOrDefault(t.threadId(), 0L), Long::sum));
        if (backendPid > 0) {
            backendCpuNanos = processCpuNanos(backendPid);
        }
        stores.close();
        ioPerAppend(counter);
        if (pgSchema != null) {
            pg(System.getProperty("parley.bench.pg", PG_URL), "DROP SCHEMA " + pgSchema + " CASCADE");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String clientMsgId(long n) {
        return switch (clientIds) {
            case "random" -> java.util.UUID.randomUUID().toString();
            case "v7" -> Uuid7.next();
            default -> "c" + n;
        };
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void appendGroupCommitted() {
        CompletableFuture<?>[] pending = new CompletableFuture<?>[IN_FLIGHT];
        long now = System.currentTimeMillis();
        for (int i = 0; i < IN_FLIGHT; i++) {
            long n = counter++;
            pending[i] = messages.append(NewEntry.of(EntryKind.TEXT, "cnv_" + (n % CONVERSATIONS), "msg_" + n, now)
                    .from("usr_0", "dev_" + (n % 64)).clientMsgId(clientMsgId(n)).body(body(n)).build());
        }
        CompletableFuture.allOf(pending).join();
    }
}
