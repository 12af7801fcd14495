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
 * <p>Ordering across nodes: {@code seq} is reserved under the conversation's row lock, which orders the
 * appenders of one conversation (and only of that one). Every write transaction that changes a conversation
 * stamps a change version for list sync: on SQLite counted in memory by its one writer, on PostgreSQL
 * its own transaction id, with readers asking from one below the oldest running transaction, so no global
 * row serialises the writers of all nodes ({@link dev.parley.server.store.jdbc.Dialect#changeVersionSql}).
 */
package dev.parley.server.store;
