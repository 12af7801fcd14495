package dev.parley.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh, private PostgreSQL schemas for tests. The server comes from {@code PARLEY_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}). When it cannot be reached the calling test
 * is skipped with a message, except under {@code CI=true}, where it fails: CI must never pass by skipping.
 */
public final class TestDatabases {
    public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private TestDatabases() {
    }

    /** The PostgreSQL server's URL, without a schema. */
    public static String postgresUrl() {
        String url = System.getenv("PARLEY_TEST_PG_URL");
        return url == null || url.isBlank() ? DEFAULT_PG_URL : url;
    }

    /**
     * Creates an empty schema with a random name; {@link PostgresSchema#url()} points connections at it
     * ({@code currentSchema=}), and {@link PostgresSchema#close()} drops it with everything in it.
     */
    public static PostgresSchema freshPostgresSchema() {
        String base = postgresUrl();
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = connect(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            unreachable(base, e);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new PostgresSchema(base, schema, url);
    }

    private static Connection connect(String url) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("loginTimeout", "5");
        return DriverManager.getConnection(url, properties);
    }

    private static void unreachable(String url, SQLException e) {
        String message = "PostgreSQL at " + url + " is not usable (" + e.getMessage()
                + "); set PARLEY_TEST_PG_URL to a server where the user may CREATE SCHEMA";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " [CI=true: failing instead of skipping]", e);
        }
        Assumptions.abort(message);
    }

    /** A private schema in the test PostgreSQL server; dropped on close. */
    public record PostgresSchema(String serverUrl, String name, String url) implements AutoCloseable {
        @Override
        public void close() {
            try (Connection c = connect(serverUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop test schema " + name, e);
            }
        }
    }
}
