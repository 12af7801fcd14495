package dev.parley.bench.jmh;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.Dialect;
import dev.parley.server.store.jdbc.JdbcMessageStore;
import dev.parley.server.store.postgres.PostgresDialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * What the change version costs durable appends on PostgreSQL when several nodes write at once: {@code writers}
 * stores, each with its own writer (as many nodes would have), append to disjoint conversations of one schema,
 * {@value #IN_FLIGHT} appends in flight shared by the writers. {@code versioning=counter} stamps changes from the
 * one-row {@code counters} table as every write transaction did before (its row lock serialises the writers of
 * all nodes until each commits); {@code xid} is the current PostgreSQL dialect (the transaction's own id).
 * Everything else is the same code. Needs PostgreSQL at {@code PARLEY_TEST_PG_URL} (default the local test
 * database); reported per append.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ChangeVersionBenchmark {
    /** Appends in flight in all, shared evenly by the writers. */
    static final int IN_FLIGHT = 256;
    private static final int CONVERSATIONS_PER_WRITER = 50;

    @Param({"counter", "xid"})
    public String versioning;

    /** Writers (nodes) appending at once; 1 shows the counter's cost without any waiting for it. */
    @Param({"4", "1"})
    public int writers;

    private String serverUrl;
    private String schema;
    private final List<Database> databases = new ArrayList<>();
    private final List<JdbcMessageStore> stores = new ArrayList<>();
    private long counter;

    /** The PostgreSQL dialect with the old global counter for the change version. */
    private record CounterVersions(PostgresDialect pg) implements Dialect {
        public String name() {
            return pg.name();
        }

        public String jdbcUrl() {
            return pg.jdbcUrl();
        }

        public String migrationLocation() {
            return pg.migrationLocation();
        }

        public Connection openWriter() throws SQLException {
            return pg.openWriter();
        }

        public HikariDataSource openReadPool(int size) {
            return pg.openReadPool(size);
        }

        @Override
        public String lockRows() {
            return pg.lockRows();
        }
        // changeVersionSql and changesVisibleUpTo: the interface's defaults, the counters row
    }

    @Setup(Level.Trial)
    public void open() throws SQLException {
        String env = System.getenv("PARLEY_TEST_PG_URL");
        serverUrl = env == null || env.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres" : env;
        schema = "jmh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(serverUrl); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        StoreOptions options = new StoreOptions(2, 512, true);
        for (int w = 0; w < writers; w++) {
            PostgresDialect pg = new PostgresDialect(url, options);
            Database db = Database.open("counter".equals(versioning) ? new CounterVersions(pg) : pg, options);
            databases.add(db);
            JdbcMessageStore store = new JdbcMessageStore(db);
            stores.add(store);
            for (int c = 0; c < CONVERSATIONS_PER_WRITER; c++) {
                store.createConversation(new Conversation("cnv_" + w + "_" + c, ConversationKind.GROUP, null, false, 0, "usr_0",
                        null, 0, List.of("usr_0", "usr_1")));
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        databases.forEach(Database::close);
        try (Connection c = DriverManager.getConnection(serverUrl); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void appendFromEveryWriter() {
        List<CompletableFuture<?>> pending = new ArrayList<>(IN_FLIGHT);
        long now = System.currentTimeMillis();
        for (int i = 0; i < IN_FLIGHT / writers; i++) {
            for (int w = 0; w < writers; w++) {
                long n = counter++;
                pending.add(stores.get(w).append(NewEntry.of(EntryKind.TEXT, "cnv_" + w + "_" + (n % CONVERSATIONS_PER_WRITER), "msg_" + n, now)
                        .from("usr_0", "dev_" + (n % 16)).clientMsgId("c" + n).body("x".repeat(200)).build()));
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    }
}
