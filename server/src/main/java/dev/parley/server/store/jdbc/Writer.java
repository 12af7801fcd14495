package dev.parley.server.store.jdbc;

import dev.parley.server.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-committing writer: one thread with its own connection drains the queue of writes and applies
 * up to {@code maxBatch} of them in one transaction, so one commit (one fsync) serves many callers. Each
 * caller's future completes after the commit, in queue order. If a batch fails it is rolled back and its
 * writes are retried one transaction each, so only the faulty one fails. A batch the database aborted for a
 * deadlock or a serialization conflict (on PostgreSQL, two nodes' writers locking the same conversations in the
 * other order) is first run again whole, up to {@value #CONFLICT_RETRIES} times after a short random pause.
 *
 * <p>Futures are completed on a second thread, in commit order: what callers chain on them (the {@code
 * sent} answer, publishing, fan-out to sockets) then overlaps with the next batch's SQL instead of
 * delaying it.
 */
public final class Writer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

    /** Under a backlog the batch may grow to this many times {@code maxBatch}. */
    private static final int MAX_GROWTH = 8;
    /** Times a batch is run again after the database aborted it for a deadlock or a serialization conflict. */
    static final int CONFLICT_RETRIES = 3;

    private final Dialect dialect;
    private final int maxBatch;
    private final Statements statements = new Statements();
    private final LastSeqs lastSeqs;
    private final ChangeVersions versions;
    private final BlockingQueue<WriteOp<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile CommitObserver observer = CommitObserver.NONE;
    private final ExecutorService completions;
    private volatile boolean closed;
    private Connection connection;

    /**
     * Opens the writer's connection at once, so an unreachable database fails the caller here and the
     * engine's settings (SQLite's WAL mode) are in place before anything else connects.
     */
    public Writer(Dialect dialect, int maxBatch) throws SQLException {
        this.dialect = dialect;
        this.maxBatch = maxBatch;
        this.lastSeqs = new LastSeqs(dialect.soleWriter());
        this.connection = dialect.openWriter();
        try {
            this.versions = ChangeVersions.of(dialect, connection);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        this.completions = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("parley-" + dialect.name() + "-commits").daemon(true).factory());
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

    /** See {@link Dialect#changesVisibleUpTo}; runs on a reader's thread. */
    long changesVisibleUpTo(Connection reader) throws SQLException {
        return versions.visibleUpTo(reader);
    }

    /** Writes waiting for the writer (a gauge for metrics). */
    public int queued() {
        return queue.size();
    }

    /**
     * The batch window adapts to the load: when idle the writer waits on the queue and commits a write as
     * soon as it arrives (no sleep); whatever queued during a commit forms the next batch, so batches grow
     * with the load. A batch takes at most {@code limit} writes: if the queue still holds more after a full
     * batch, the limit doubles (up to {@value #MAX_GROWTH} × {@code maxBatch}), since one larger commit
     * (one fsync, mostly the same dirty pages) drains a backlog faster; it halves back once batches are small.
     */
    private void loop() {
        List<WriteOp<?>> batch = new ArrayList<>(maxBatch);
        int limit = maxBatch;
        while (!closed || !queue.isEmpty()) {
            try {
                WriteOp<?> first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, limit - 1);
                runBatch(batch);
                limit = nextLimit(limit, batch.size(), queue.isEmpty());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                LOG.error("writer failed on a batch of {} writes", batch.size(), e);
                failAll(batch, e);
            } finally {
                batch.clear();
            }
        }
        closeConnection();
        failLeftovers();
    }

    private int nextLimit(int limit, int taken, boolean drained) {
        if (taken >= limit && !drained) {
            return Math.min(limit * 2, maxBatch * MAX_GROWTH);
        }
        if (taken < limit / 4) {
            return Math.max(maxBatch, limit / 2);
        }
        return limit;
    }

    /** Applies a batch; returns false if the database could not be reached (every op then failed). */
    private boolean runBatch(List<WriteOp<?>> batch) {
        return runBatch(batch, true, false, true, 0);
    }

    private boolean runBatch(List<WriteOp<?>> batch, boolean mayReconnect, boolean lookUpFirst, boolean mayRedo,
                             int conflicts) {
        Connection c;
        try {
            c = connection();
        } catch (SQLException e) {
            // Retrying each write alone would only wait for the same unreachable database again.
            LOG.warn("cannot connect the {} writer; failing {} writes: {}", dialect.name(), batch.size(), e.toString());
            StoreException error = new StoreException(dialect.name() + " is unreachable", e);
            failAll(batch, error);
            return false;
        }
        boolean committing = false;
        long started = System.nanoTime();
        try {
            WriteBatch.apply(new Tx(c, lookUpFirst, statements, lastSeqs, versions), batch);
            committing = true;
            c.commit();
            lastSeqs.committed();
            versions.committed(); // before anyone hears of the commit
            long committed = System.nanoTime();
            completeAll(batch, started, committed);
            return true;
        } catch (WriteBatch.StoredDuplicate e) {
            // A retried append: redo the batch, this time looking every idempotency key up first.
            rollback(c);
            batch.forEach(WriteOp::reset);
            return runBatch(batch, mayReconnect, true, mayRedo, conflicts);
        } catch (LastSeqs.Stale e) {
            // The cached last_seq was wrong (rollback() forgets the cache): redo the batch once, reloading.
            rollback(c);
            batch.forEach(WriteOp::reset);
            if (mayRedo) {
                LOG.warn("{} writer: {}; redoing {} writes", dialect.name(), e.getMessage(), batch.size());
                return runBatch(batch, mayReconnect, lookUpFirst, false, conflicts);
            }
            LOG.warn("{} writer: {} again; failing {} writes", dialect.name(), e.getMessage(), batch.size());
            failAll(batch, new StoreException("last_seq changed behind the " + dialect.name() + " writer", e));
            return true;
        } catch (SQLException | RuntimeException e) {
            rollback(c);
            boolean connectionLost = connection == null;
            if (connectionLost && committing) {
                // The commit may or may not have happened: only the callers' idempotent retries can tell.
                LOG.warn("{} writer lost its connection while committing {} writes: {}", dialect.name(),
                        batch.size(), e.toString());
                StoreException error = new StoreException("commit outcome unknown on " + dialect.name(), e);
                failAll(batch, error);
                return true;
            }
            if (!connectionLost && conflicts < CONFLICT_RETRIES && isConflict(e)) {
                // Another node's writer holds rows this batch needs in the other order (PostgreSQL aborts one of two
                // deadlocked transactions), or a serialization check failed: nothing was committed, and the same
                // batch usually goes through at once. A short random pause keeps the two from meeting again.
                LOG.info("{} aborted a batch of {} writes ({}); running it again", dialect.name(), batch.size(),
                        e.getMessage());
                batch.forEach(WriteOp::reset);
                pauseAfterConflict(conflicts);
                return runBatch(batch, mayReconnect, lookUpFirst, mayRedo, conflicts + 1);
            }
            if (connectionLost && mayReconnect) {
                // Nothing was committed: run the same batch again on a new connection.
                LOG.warn("{} writer lost its connection ({}); retrying {} writes on a new one", dialect.name(),
                        e.toString(), batch.size());
                batch.forEach(WriteOp::reset);
                return runBatch(batch, false, lookUpFirst, mayRedo, conflicts);
            }
            if (batch.size() == 1) {
                WriteOp<?> op = batch.getFirst();
                LOG.warn("{} failed on {}: {}", op, dialect.name(), e.toString());
                failAll(List.of(op), e instanceof SQLException ? new StoreException(op + " failed", e) : e);
                return true;
            }
            LOG.warn("batch of {} writes failed on {} ({}); retrying one by one", batch.size(), dialect.name(),
                    e.toString());
            for (int i = 0; i < batch.size(); i++) {
                WriteOp<?> op = batch.get(i);
                op.reset();
                if (!runBatch(List.of(op))) {
                    StoreException error = new StoreException(dialect.name() + " is unreachable", e);
                    failAll(batch.subList(i + 1, batch.size()), error);
                    return false;
                }
            }
            return true;
        }
    }

    /** A deadlock ({@code 40P01}) or a serialization failure ({@code 40001}), anywhere in the cause chain. */
    static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40P01".equals(s.getSQLState()) || "40001".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static void pauseAfterConflict(int conflicts) {
        long micros = ThreadLocalRandom.current().nextLong(500, 2_000) << conflicts;
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = dialect.openWriter();
        }
        return connection;
    }

    /** Rolls back, forgetting what the batch staged in memory and the statements it may have half-bound. */
    private void rollback(Connection c) {
        lastSeqs.forget();
        versions.rolledBack();
        statements.closeAll();
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
        statements.closeAll();
        lastSeqs.forget();
        versions.rolledBack();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the writer connection failed", e);
            }
            connection = null;
        }
    }

    /** Tells the observer, then completes the callers' futures on the completion thread, in commit order. */
    private void completeAll(List<WriteOp<?>> batch, long startedAtNanos, long committedAtNanos) {
        List<WriteOp<?>> done = List.copyOf(batch);
        completions.execute(() -> {
            // Metrics first (microseconds), so that anyone who saw an answer also sees it counted.
            CommitObserver o = observer;
            if (o != CommitObserver.NONE) {
                try {
                    o.batchCommitted(done.size(), committedAtNanos - startedAtNanos,
                            System.nanoTime() - committedAtNanos);
                    for (WriteOp<?> op : done) {
                        if (op instanceof WriteOp.Append a && a.succeeded() && !a.result().duplicate()) {
                            o.entryStored(a.entry.kind().wire(), Math.max(0, startedAtNanos - a.queuedAtNanos),
                                    committedAtNanos - a.queuedAtNanos);
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.warn("commit observer failed", e);
                }
            }
            done.forEach(WriteOp::complete);
        });
    }

    /** Who is told about commits (metrics); {@link CommitObserver#NONE} by default. */
    void observe(CommitObserver o) {
        observer = o == null ? CommitObserver.NONE : o;
    }

    private void failAll(List<WriteOp<?>> batch, Throwable error) {
        List<WriteOp<?>> failed = List.copyOf(batch);
        completions.execute(() -> failed.forEach(op -> op.fail(error)));
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
        completions.shutdown();
        try {
            if (!completions.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("{} commit completions did not finish within 10 s", dialect.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failLeftovers();
    }
}
