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
}
