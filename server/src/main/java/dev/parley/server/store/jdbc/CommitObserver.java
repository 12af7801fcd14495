package dev.parley.server.store.jdbc;

/**
 * Told about each group commit, for metrics. Called on the writer's completions thread after the commit,
 * so it never delays a batch; it must be quick and must not throw.
 */
public interface CommitObserver {

    /**
     * A batch committed.
     *
     * @param writes      writes in the batch (appends, watermark moves, others)
     * @param commitNanos from the start of the transaction to the end of its commit (fsync included)
     * @param handOffNanos from the end of the commit to this call on the completions thread, which then completes
     *                     the batch's futures (so what the callers chain on them starts this much later)
     */
    void batchCommitted(int writes, long commitNanos, long handOffNanos);

    /**
     * A new entry is durable (a replayed send is not counted).
     *
     * @param kind          the entry's kind on the wire ({@code text}, {@code media}, {@code edit} ...)
     * @param waitedNanos   from when the write was queued to the start of the transaction that stored it: the
     *                      part of {@code durableNanos} spent waiting for the writer rather than in the commit
     * @param durableNanos  from when the write was queued to the commit that made it durable
     */
    void entryStored(String kind, long waitedNanos, long durableNanos);

    CommitObserver NONE = new CommitObserver() {
        @Override
        public void batchCommitted(int writes, long commitNanos, long handOffNanos) {
        }

        @Override
        public void entryStored(String kind, long waitedNanos, long durableNanos) {
        }
    };
}
