package dev.parley.server.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One migrated database: a pool of connections for reads and the single group-committing {@link Writer}
 * through which every write goes. Shared by the message and account stores of one {@code Stores}.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final Dialect dialect;
    private final HikariDataSource reads;
    private final Writer writer;

    private Database(Dialect dialect, HikariDataSource reads, Writer writer) {
        this.dialect = dialect;
        this.reads = reads;
        this.writer = writer;
    }

    /** Migrates the schema to the newest version, then opens the read pool and the writer. */
    public static Database open(Dialect dialect, StoreOptions options) {
        var result = Flyway.configure()
                .dataSource(dialect.jdbcUrl(), null, null)
                .locations(dialect.migrationLocation())
                .placeholders(java.util.Map.of("partitions", Integer.toString(options.partitions())))
                .load()
                .migrate();
        LOG.info("{} schema at version {} ({} migrations applied)", dialect.name(), result.targetSchemaVersion,
                result.migrationsExecuted);
        Writer writer;
        try {
            writer = new Writer(dialect, options.maxBatch());
        } catch (SQLException e) {
            throw new StoreException("cannot open the " + dialect.name() + " writer connection", e);
        }
        try {
            return new Database(dialect, dialect.openReadPool(options.poolSize()), writer);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** Runs a read on a pooled connection, returned to the pool before this method returns. */
    public <T> T read(String what, SqlFunction<Connection, T> work) {
        try (Connection c = reads.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new StoreException(what + " failed on " + dialect.name(), e);
        }
    }

    /** Queues a write for the next group commit. */
    public <T> CompletableFuture<T> write(WriteOp<T> op) {
        return writer.submit(op);
    }

    /** Queues a write and waits until it is committed. */
    public <T> T writeAndWait(WriteOp<T> op) {
        try {
            return writer.submit(op).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Tells {@code observer} about every group commit from now on (metrics). */
    public void observeCommits(CommitObserver observer) {
        writer.observe(observer);
    }

    /** The pool that serves reads (for pool metrics). */
    public HikariDataSource readPool() {
        return reads;
    }

    /** Writes waiting for the writer (a gauge for metrics). */
    public int queuedWrites() {
        return writer.queued();
    }

    /** See {@link Dialect#changesVisibleUpTo} (on SQLite the writer's own count: {@link ChangeVersions}). */
    long changesVisibleUpTo(java.sql.Connection c) throws java.sql.SQLException {
        return writer.changesVisibleUpTo(c);
    }

    /** What the engine needs to lock rows read in a write transaction (see {@link Dialect#lockRows()}). */
    public String lockRows() {
        return dialect.lockRows();
    }

    public String engine() {
        return dialect.name();
    }

    /** Finishes queued writes, then closes the writer's connection and the read pool. */
    @Override
    public void close() {
        writer.close();
        reads.close();
    }
}
