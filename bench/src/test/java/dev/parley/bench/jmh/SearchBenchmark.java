package dev.parley.bench.jmh;

import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.core.port.SearchIndex;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Search latency over {@link #messages} stored messages on each store (the measure: p50 and p99 over 1M).
 * The corpus: 1,000 group conversations of 10 members (1,000 users, each in 10), 1,000 messages each, 6 to 20
 * words drawn from a 20,000-word vocabulary with a Zipf-like distribution, like natural text. Queries are one
 * word (two in a quarter of them) drawn from the vocabulary's middle ranks, by a random user over all of their
 * conversations. Rows are written straight into the schema the server migrated, so the database's own triggers
 * build the index exactly as the writer's appends would; the filled database is kept in {@code java.io.tmpdir}
 * (SQLite) or in schema {@code search_bench_<n>} (PostgreSQL, {@code PARLEY_TEST_PG_URL}) and reused.
 *
 * <p>Run: {@code java -cp … org.openjdk.jmh.Main SearchBenchmark -p store=sqlite} (see docs/performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class SearchBenchmark {
    static final int CONVERSATIONS = 1_000;
    static final int MEMBERS = 10;
    static final int USERS = 1_000;
    static final int VOCABULARY = 20_000;

    @Param({"sqlite", "postgres"})
    public String store;

    @Param({"1000000"})
    public int messages;

    private Stores stores;
    private SearchIndex index;
    private String[] words;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup(Level.Trial)
    public void open() throws Exception {
        words = vocabulary();
        if ("sqlite".equals(store)) {
            Path file = Path.of(System.getProperty("java.io.tmpdir"), "parley-search-bench", "sqlite-" + messages + ".db");
            Files.createDirectories(file.getParent());
            stores = Stores.sqlite(file, StoreOptions.defaults());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                fill(c);
            }
        } else {
            String base = System.getenv().getOrDefault("PARLEY_TEST_PG_URL",
                    "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
            String schema = "search_bench_" + messages;
            try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            }
            String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            stores = Stores.postgres(url, new StoreOptions(4, 512, true));
            try (Connection c = DriverManager.getConnection(url)) {
                fill(c);
            }
        }
        index = stores.search();
    }

    @TearDown(Level.Trial)
    public void close() {
        stores.close();
    }

    @Benchmark
    public List<SearchHit> search() {
        String user = "usr_" + random.nextInt(USERS);
        String q = word(100, 5_000) + (random.nextInt(4) == 0 ? " " + word(20, 2_000) : "");
        return index.search(user, SearchQuery.parse(q), null, 20);
    }

    /** A word between the given vocabulary ranks. */
    private String word(int fromRank, int toRank) {
        return words[fromRank + random.nextInt(toRank - fromRank)];
    }

    /** Pronounceable, distinct words: a base-20 spelling of the rank in consonant-vowel syllables. */
    static String[] vocabulary() {
        String consonants = "bdfgklmnprstvz";
        String vowels = "aeiou";
        String[] out = new String[VOCABULARY];
        for (int i = 0; i < VOCABULARY; i++) {
            StringBuilder sb = new StringBuilder();
            int n = i + 70; // every word has at least two syllables
            while (n > 0) {
                sb.append(consonants.charAt(n % consonants.length()));
                n /= consonants.length();
                sb.append(vowels.charAt(n % vowels.length()));
                n /= vowels.length();
            }
            out[i] = sb.toString();
        }
        return out;
    }

    private void fill(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM entries")) {
            rs.next();
            if (rs.getLong(1) >= messages) {
                return;
            }
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM entries");
            s.execute("DELETE FROM members");
            s.execute("DELETE FROM conversations");
        }
        try (PreparedStatement conv = c.prepareStatement("INSERT INTO conversations (id, kind, title, e2ee, last_seq,"
                + " created_by, direct_key, created_at_ms, updated_version) VALUES (?, 'group', ?, ?, ?, ?, NULL, 0, 1)");
             PreparedStatement member = c.prepareStatement("INSERT INTO members (conversation_id, user_id, role,"
                     + " ordinal, updated_version) VALUES (?, ?, 'member', ?, 1)")) {
            int perConversation = messages / CONVERSATIONS;
            for (int i = 0; i < CONVERSATIONS; i++) {
                conv.setString(1, "cnv_" + i);
                conv.setString(2, "Group " + i);
                conv.setBoolean(3, false);
                conv.setLong(4, perConversation);
                conv.setString(5, "usr_" + i);
                conv.addBatch();
                for (int m = 0; m < MEMBERS; m++) {
                    member.setString(1, "cnv_" + i);
                    member.setString(2, "usr_" + ((i + m * 97) % USERS));
                    member.setInt(3, m);
                    member.addBatch();
                }
            }
            conv.executeBatch();
            member.executeBatch();
        }
        c.commit();
        SplittableRandom r = new SplittableRandom(42);
        int perConversation = messages / CONVERSATIONS;
        try (PreparedStatement e = c.prepareStatement("INSERT INTO entries (conversation_id, seq, message_id,"
                + " sender_id, sender_device_id, kind, body, deleted, created_at_ms) VALUES (?, ?, ?, ?, ?, 'text', ?, ?, ?)")) {
            int n = 0;
            for (int seq = 1; seq <= perConversation; seq++) {
                for (int i = 0; i < CONVERSATIONS; i++) {
                    String sender = "usr_" + ((i + r.nextInt(MEMBERS) * 97) % USERS);
                    e.setString(1, "cnv_" + i);
                    e.setLong(2, seq);
                    e.setString(3, "msg_" + i + "_" + seq);
                    e.setString(4, sender);
                    e.setString(5, "dev_" + sender);
                    e.setString(6, sentence(r));
                    e.setBoolean(7, false);
                    e.setLong(8, 1_700_000_000_000L + (long) seq * 60_000);
                    e.addBatch();
                    if (++n % 5_000 == 0) {
                        e.executeBatch();
                        c.commit();
                    }
                }
            }
            e.executeBatch();
            c.commit();
        }
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE"); // what autovacuum would have done by then in production
        }
    }

    /** 6 to 20 words, rank drawn so that rank k appears about 1/k as often (Zipf's law, approximately). */
    private String sentence(SplittableRandom r) {
        int n = 6 + r.nextInt(15);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int rank = (int) Math.floor(Math.pow(VOCABULARY, r.nextDouble())) - 1;
            sb.append(i == 0 ? "" : " ").append(words[Math.max(0, Math.min(VOCABULARY - 1, rank))]);
        }
        return sb.toString();
    }
}
