package dev.parley.server.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

    /**
     * The statement (one row, one {@code BIGINT}) that gives a write transaction the change version it stamps on
     * the conversations and members it changes, for list sync ({@code changesSince}). Its only requirement: a
     * change not yet visible to a reader has a version above what {@link #changesVisibleUpTo} told that reader.
     * By default the one-row {@code counters} table, whose row lock orders the writers. Not used where the writer
     * is the {@linkplain #soleWriter() sole} one (SQLite): that writer counts versions in memory and moves the
     * counter only once per thousand transactions ({@link ChangeVersions.Owned}).
     */
    default String changeVersionSql() {
        return "UPDATE counters SET value = value + 1 WHERE name = 'version' RETURNING value";
    }

    /**
     * Run on a read connection before the changes are read: the highest version up to which every change is
     * already visible (a change not visible yet has a higher version), so a list sync that next asks for what is
     * above it misses nothing. By default the counter's value (writers bump it under its row lock and commit
     * before the new value can be read). Not used where the writer is the sole one: it tells readers the version
     * of its last commit.
     */
    default long changesVisibleUpTo(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM counters WHERE name = 'version'");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the counters table has no 'version' row");
            }
            return rs.getLong(1);
        }
    }
}
