package dev.parley.server.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What differs between the SQL engines: how to connect and which migrations to run. The SQL itself is
 * shared (both engines take {@code ON CONFLICT}, {@code RETURNING} and row values), so this seam stays small.
 */
public interface Dialect {

    /** A short name for logs: {@code sqlite} or {@code postgres}. */
    String name();

    /** The JDBC URL Flyway migrates. */
    String jdbcUrl();

    /** The Flyway location of this engine's migrations. */
    String migrationLocation();

    /** Opens the writer's own connection, with auto-commit off and the durability settings applied. */
    Connection openWriter() throws SQLException;

    /** Opens the pool that serves reads. */
    HikariDataSource openReadPool(int size);

    /**
     * What to append to a {@code SELECT} in a write transaction to lock the rows it reads against writers of
     * other nodes: {@code FOR UPDATE} where several writers can run at once (PostgreSQL), nothing where one
     * writer is all there is (SQLite).
     */
    default String lockRows() {
        return "";
    }

    /**
     * Whether this process's writer is the only one writing the database (SQLite: one server per file),
     * so it may keep each conversation's {@code last_seq} in memory; PostgreSQL serves a cluster of nodes.
     */
    default boolean soleWriter() {
        return false;
    }
}
