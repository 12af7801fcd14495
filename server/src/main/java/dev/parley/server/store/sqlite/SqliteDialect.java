package dev.parley.server.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.jdbc.Dialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * SQLite in one file, in WAL mode: the writer has its own connection (SQLite takes one writer at a time)
 * and readers use read-only connections that never block it.
 */
public final class SqliteDialect implements Dialect {
    private static final int BUSY_TIMEOUT_MS = 10_000;
    /** The writer's page cache (KiB). */
    private static final int WRITER_CACHE_KIB = 32 * 1024;
    /** WAL pages (4 KiB each) between automatic checkpoints; SQLite's default is 1,000. */
    private static final int CHECKPOINT_PAGES = 16_000;
    /** The size the WAL file is cut back to after a checkpoint. */
    private static final long WAL_LIMIT_BYTES = 64L * 1024 * 1024;

    private final Path file;
    private final StoreOptions options;

    public SqliteDialect(Path file, StoreOptions options) {
        this.file = file.toAbsolutePath();
        this.options = options;
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:sqlite:" + file;
    }

    @Override
    public String migrationLocation() {
        return "classpath:db/migration/sqlite";
    }

    @Override
    public Connection openWriter() throws SQLException {
        SQLiteConfig config = common();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(options.fsyncEachCommit() ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.NORMAL);
        // DEFERRED (the default), not IMMEDIATE: the driver begins the next transaction right after each
        // commit, and an IMMEDIATE one would keep the file write-locked against anyone else between batches.
        Connection c = DriverManager.getConnection(jdbcUrl(), config.toProperties());
        try (Statement s = c.createStatement()) {
            // Each commit of a batch dirties a few hundred index pages; with the default cache (2 MiB) the
            // writer re-reads them from the file, and the default checkpoint (every 1,000 WAL pages) copies
            // them back to the database almost every commit. A larger cache and a rarer checkpoint write
            // each hot page once per checkpoint instead of once per commit.
            s.execute("PRAGMA cache_size = -" + WRITER_CACHE_KIB);
            s.execute("PRAGMA wal_autocheckpoint = " + CHECKPOINT_PAGES);
            s.execute("PRAGMA journal_size_limit = " + WAL_LIMIT_BYTES);
            // A multi-row statement keeps a statement journal (to undo itself alone); in a file it was
            // written page by page beside the WAL. In memory it costs no system call.
            s.execute("PRAGMA temp_store = MEMORY");
        }
        c.setAutoCommit(false);
        return c;
    }

    @Override
    public HikariDataSource openReadPool(int size) {
        SQLiteConfig config = common();
        config.setReadOnly(true);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("parley-sqlite-read");
        hikari.setReadOnly(true); // must match the open mode, or the driver refuses Hikari's setReadOnly
        hikari.setJdbcUrl(jdbcUrl());
        hikari.setDataSourceProperties(config.toProperties());
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(Math.min(2, size));
        return new HikariDataSource(hikari);
    }

    @Override
    public boolean soleWriter() {
        return true;
    }

    private static SQLiteConfig common() {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        noGeneratedKeys(config);
        return config;
    }

    /**
     * Turns off the driver's generated keys, which Parley never asks for. With them on (the driver's default),
     * every {@code executeUpdate} runs a regular expression over its SQL and, for an insert, a second query
     * ({@code last_insert_rowid()}) with its result set: a fifth of the server's allocations at 10k deliveries/s.
     */
    public static void noGeneratedKeys(SQLiteConfig config) {
        config.setGetGeneratedKeys(false);
    }
}
