package dev.parley.server.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.store.StoreOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * The background WAL checkpointer ({@link SqliteCheckpointer}): the WAL stays bounded while a writer commits
 * without pause, everything committed stays readable, and a process killed mid-checkpoint loses nothing it had
 * committed. No timing is asserted; waits are bounded polls.
 */
class SqliteCheckpointerTest {
    /** The WAL's frame: a 4 KiB page and its 24-byte header. */
    private static final long FRAME = 4096 + 24;

    @TempDir
    Path dir;

    @Test
    void theWalStaysBoundedUnderCommitsWithoutPauseAndEverythingStaysReadable() throws Exception {
        Path db = dir.resolve("bounded.db");
        Path wal = dir.resolve("bounded.db-wal");
        int backstop = 400;
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL); // as the server's writer: an fsync per commit
        String url = "jdbc:sqlite:" + db;
        long maxWal = 0;
        int rows = 4_000;
        try (Connection w = DriverManager.getConnection(url, config.toProperties())) {
            try (Statement s = w.createStatement()) {
                s.execute("PRAGMA wal_autocheckpoint = " + backstop);
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
            }
            w.setAutoCommit(false);
            SqliteCheckpointer checkpointer = new SqliteCheckpointer(url, config.toProperties(), 2,
                    TimeUnit.MILLISECONDS, backstop / 2, backstop).start();
            try (PreparedStatement insert = w.prepareStatement("INSERT INTO t (id, body) VALUES (?, randomblob(3000))")) {
                for (int i = 0; i < rows; i++) {
                    insert.setInt(1, i);
                    insert.executeUpdate();
                    w.commit();
                    maxWal = Math.max(maxWal, Files.size(wal));
                }
            } finally {
                // Once the writes stop, a pass copies everything (bounded wait, not a timing).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (checkpointer.copiedAll() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                checkpointer.close();
            }
            assertThat(checkpointer.passes()).isPositive();
            assertThat(checkpointer.copiedAll()).isPositive();
        }
        // 4,000 commits wrote many times the backstop, and the WAL was started over at the latest a little past it
        // (the commits made while a pass held the checkpoint lock, which the writer's own checkpoint needs).
        assertThat(rows * FRAME).isGreaterThan(5 * backstop * FRAME);
        assertThat(maxWal).isLessThanOrEqualTo(2 * backstop * FRAME);
        try (Connection r = DriverManager.getConnection(url); Statement s = r.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), min(id), max(id) FROM t")) {
            rs.next();
            assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).containsExactly(rows, 0, rows - 1);
        }
    }

    @Test
    void aProcessKilledWhileTheCheckpointerRunsLosesNothingItCommitted() throws Exception {
        Path db = dir.resolve("parley.db");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Writes.class.getName(), db.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long acked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            // Enough commits that the WAL has been copied (and started over) several times.
            while ((line = out.readLine()) != null) {
                acked = Long.parseLong(line.strip());
                if (acked >= 12_000) {
                    break;
                }
            }
            child.destroyForcibly(); // SIGKILL: no close, no final checkpoint
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acked).isGreaterThanOrEqualTo(12_000);
        assertThat(Files.size(db)).as("the checkpointer copied pages into the database file").isGreaterThan(4096 * 100);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), max(id) FROM t")) {
                rs.next();
                long max = rs.getLong(2);
                assertThat(max).isGreaterThanOrEqualTo(acked);
                assertThat(rs.getLong(1)).isEqualTo(max + 1); // no gap: ids 0..max
            }
        }
    }

    /**
     * The child process: the server's own SQLite writer settings and checkpointer, one row per fsync'd commit,
     * each printed once committed. Runs until killed.
     */
    public static final class Writes {
        public static void main(String[] args) throws SQLException {
            SqliteDialect dialect = new SqliteDialect(Path.of(args[0]), StoreOptions.defaults());
            Connection w = dialect.openWriter();
            try (Statement s = w.createStatement()) {
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
            }
            w.commit();
            dialect.startBackgroundWork();
            try (PreparedStatement insert = w.prepareStatement("INSERT INTO t (id, body) VALUES (?, randomblob(2000))")) {
                for (long i = 0; ; i++) {
                    insert.setLong(1, i);
                    insert.executeUpdate();
                    w.commit();
                    System.out.println(i);
                    System.out.flush();
                }
            }
        }
    }
}
