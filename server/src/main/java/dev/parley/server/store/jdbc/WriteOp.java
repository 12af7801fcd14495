package dev.parley.server.store.jdbc;

import dev.parley.core.Appended;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A write queued for the {@link Writer}. Its outcome is staged while the transaction runs and handed to
 * the caller's future only after commit, so nobody ever sees a result that a rollback could take back.
 */
public abstract sealed class WriteOp<T> permits WriteOp.Append, WriteOp.MoveWatermarks, WriteOp.InTransaction {

    final CompletableFuture<T> future = new CompletableFuture<>();
    /** When the write was queued, for the latency metrics. */
    final long queuedAtNanos = System.nanoTime();
    private T result;
    private RuntimeException failure;

    void succeed(T value) {
        result = value;
        failure = null;
    }

    /** Fails this op alone (the rest of its batch still commits). */
    void reject(RuntimeException error) {
        result = null;
        failure = error;
    }

    /** Forgets a staged outcome before the op is run again on its own. */
    void reset() {
        result = null;
        failure = null;
    }

    /** Whether the staged outcome is a success (after the batch ran). */
    boolean succeeded() {
        return failure == null && result != null;
    }

    T result() {
        return result;
    }

    /** Hands the staged outcome to the caller; called after commit. */
    void complete() {
        if (failure != null) {
            future.completeExceptionally(failure);
        } else {
            future.complete(result);
        }
    }

    void fail(Throwable error) {
        future.completeExceptionally(error);
    }

    /** Appends one entry; group-committed with its neighbours. */
    public static final class Append extends WriteOp<Appended> {
        final NewEntry entry;
        long seq;
        /** Set when an earlier op of the same batch has the same idempotency key. */
        Append duplicateOf;

        public Append(NewEntry entry) {
            this.entry = entry;
        }

        @Override
        void reset() {
            super.reset();
            seq = 0;
            duplicateOf = null;
        }

        @Override
        public String toString() {
            return "append " + entry;
        }
    }

    /** Moves one member's watermarks; group-committed with its neighbours. */
    public static final class MoveWatermarks extends WriteOp<Optional<Watermarks>> {
        final String conversationId;
        final String userId;
        final long deliveredSeq;
        final long readSeq;

        public MoveWatermarks(String conversationId, String userId, long deliveredSeq, long readSeq) {
            this.conversationId = conversationId;
            this.userId = userId;
            this.deliveredSeq = deliveredSeq;
            this.readSeq = readSeq;
        }

        @Override
        public String toString() {
            return "move watermarks conversation=" + conversationId + " user=" + userId;
        }
    }

    /** Any other write, run in order with the batch's other writes. */
    public static final class InTransaction<T> extends WriteOp<T> {
        final String description;
        final SqlFunction<Tx, T> work;

        /** @param description for logs: what and which ids, never secrets or bodies */
        public InTransaction(String description, SqlFunction<Tx, T> work) {
            this.description = description;
            this.work = work;
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
