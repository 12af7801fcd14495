/**
 * The SQL adapters of {@link dev.parley.core.port.MessageStore} and {@link dev.parley.core.port.AccountStore}.
 * {@link dev.parley.server.store.Stores} opens one database (SQLite file or PostgreSQL), migrates it with
 * Flyway ({@code db/migration/<engine>}) and hands out both stores.
 *
 * <p>Layout: {@code jdbc} holds everything the engines share — the group-committing
 * {@link dev.parley.server.store.jdbc.Writer} (one thread, one connection, up to {@code maxBatch} writes per
 * transaction), the batch logic ({@code WriteBatch}), the read queries and the row mappings; {@code sqlite}
 * and {@code postgres} hold the small {@link dev.parley.server.store.jdbc.Dialect} of each engine and the
 * named adapters. The SQL is the same on both engines.
 *
 * <p>Ordering across nodes: every write transaction that changes a conversation first bumps the one-row
 * {@code counters} table; its row lock serialises writers of all nodes, makes the change versions commit in
 * order (so list sync never misses a change) and keeps {@code seq} allocation race-free.
 */
package dev.parley.server.store;
