package dev.parley.bench.soak;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A fresh schema on a PostgreSQL server for one soak run; dropped (with everything in it) at the end. */
public final class PostgresSchema implements AutoCloseable {
    private final String serverUrl;
    private final String name;

    private PostgresSchema(String serverUrl, String name) {
        this.serverUrl = serverUrl;
        this.name = name;
    }

    /** @param serverUrl a JDBC URL of the database to make the schema in, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres} */
    public static PostgresSchema create(String serverUrl) throws SQLException {
        String name = "soak_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(serverUrl); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
        }
        return new PostgresSchema(serverUrl, name);
    }

    public String name() {
        return name;
    }

    /** The store URL for the nodes ({@code PARLEY_STORE_URL}). */
    public String url() {
        return serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(serverUrl); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        } catch (SQLException e) {
            System.err.println("soak: could not drop schema " + name + ": " + e.getMessage());
        }
    }
}
