package dev.parley.server.store;

/**
 * Tuning of the SQL stores.
 *
 * @param poolSize        connections for reads (the writer has its own)
 * @param maxBatch        most writes group-committed in one transaction
 * @param fsyncEachCommit wait for the disk on every commit (SQLite {@code synchronous=FULL}, PostgreSQL
 *                        {@code synchronous_commit=on}); without it a power loss may drop the last commits,
 *                        though a crash of the process alone loses nothing
 * @param partitions      PostgreSQL: hash partitions of {@code entries}, applied when the schema is created
 */
public record StoreOptions(int poolSize, int maxBatch, boolean fsyncEachCommit, int partitions) {
    public static final int DEFAULT_PARTITIONS = 8;

    public StoreOptions(int poolSize, int maxBatch, boolean fsyncEachCommit) {
        this(poolSize, maxBatch, fsyncEachCommit, DEFAULT_PARTITIONS);
    }

    public StoreOptions {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
    }

    /** Eight read connections, batches of up to 256 writes, an fsync on every commit. */
    public static StoreOptions defaults() {
        return new StoreOptions(8, 256, true);
    }
}
