package dev.parley.server.store.jdbc;

import dev.parley.server.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-committing writer: one thread with its own connection drains the queue of writes and applies
 * up to {@code maxBatch} of them in one transaction, so one commit (one fsync) serves many callers. Each
 * caller's future completes after the commit, in queue order. If a batch fails it is rolled back and its
 * writes are retried one transaction each, so only the faulty one fails.
 */
public final class Writer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

    private final Dialect dialect;
    private final int maxBatch;
    private final BlockingQueue<WriteOp<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private Connection connection;

    public Writer(Dialect dialect, int maxBatch) {
        this.dialect = dialect;
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().name("parley-" + dialect.name() + "-writer").daemon(true)
                .unstarted(this::loop);
        thread.start();
    }

    /** Queues a write; the future completes once it is committed (or fails alone). */
    public <T> CompletableFuture<T> submit(WriteOp<T> op) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("store is closed"));
        }
        queue.add(op);
        if (closed && !thread.isAlive()) {
            failLeftovers();
        }
        return op.future;
    }

    /** Writes waiting for the writer (a gauge for metrics). */
    public int queued() {
        return queue.size();
    }

    private void loop() {
        List<WriteOp<?>> batch = new ArrayList<>(maxBatch);
        while (!closed || !queue.isEmpty()) {
            try {
                WriteOp<?> first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                LOG.error("writer failed on a batch of {} writes", batch.size(), e);
                batch.forEach(op -> op.fail(e));
            } finally {
                batch.clear();
            }
        }
        closeConnection();
        failLeftovers();
    }

    private void runBatch(List<WriteOp<?>> batch) {
        try {
            apply(batch);
            batch.forEach(WriteOp::complete);
        } catch (SQLException | RuntimeException e) {
            if (batch.size() == 1) {
                WriteOp<?> op = batch.getFirst();
                LOG.warn("{} failed on {}: {}", op, dialect.name(), e.toString());
                op.fail(e instanceof SQLException ? new StoreException(op + " failed", e) : e);
                return;
            }
            LOG.warn("batch of {} writes failed on {} ({}); retrying one by one", batch.size(), dialect.name(),
                    e.toString());
            for (WriteOp<?> op : batch) {
                op.reset();
                runBatch(List.of(op));
            }
        }
    }

    /** Runs the ops in one transaction and commits it; rolls back and rethrows on any failure. */
    private void apply(List<WriteOp<?>> batch) throws SQLException {
        Connection c = connection();
        try {
            WriteBatch.apply(new Tx(c), batch);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(c);
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = dialect.openWriter();
        }
        return connection;
    }

    private void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.warn("rollback failed on {}: {}", dialect.name(), e.toString());
        }
        try {
            if (!c.isValid(2)) {
                LOG.warn("writer connection to {} is broken; reopening it for the next batch", dialect.name());
                closeConnection();
            }
        } catch (SQLException e) {
            closeConnection();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the writer connection failed", e);
            }
            connection = null;
        }
    }

    private void failLeftovers() {
        WriteOp<?> op;
        while ((op = queue.poll()) != null) {
            op.fail(new IllegalStateException("store is closed"));
        }
    }

    /** Stops taking writes, finishes those queued, and closes the connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("{} writer did not finish within 30 s", dialect.name());
        }
        failLeftovers();
    }
}
