package dev.parley.server.store;

import dev.parley.server.config.ServerConfig;

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
    public static final int DEFAULT_PARTITIONS = ServerConfig.StoreConfig.DEFAULT_PARTITIONS;

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

    /** What a node runs with when {@code store:} says nothing ({@link ServerConfig.StoreConfig#defaults}). */
    public static StoreOptions defaults() {
        return of(ServerConfig.StoreConfig.defaults());
    }

    /** The options {@code config} sets. */
    public static StoreOptions of(ServerConfig.StoreConfig config) {
        return new StoreOptions(config.poolSize(), config.maxBatch(), config.fsync(), config.partitions());
    }
}
