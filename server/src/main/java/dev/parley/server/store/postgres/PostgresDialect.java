package dev.parley.server.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.jdbc.Dialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * PostgreSQL: a pool for reads and one dedicated connection for the writer. Batched inserts are rewritten
 * into multi-row statements by the driver.
 */
public final class PostgresDialect implements Dialect {
    private final String url;
    private final StoreOptions options;

    public PostgresDialect(String jdbcUrl, StoreOptions options) {
        this.url = jdbcUrl;
        this.options = options;
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String jdbcUrl() {
        return url;
    }

    @Override
    public String migrationLocation() {
        return "classpath:db/migration/postgres";
    }

    @Override
    public Connection openWriter() throws SQLException {
        Properties properties = properties();
        properties.setProperty("ApplicationName", "parley-writer");
        Connection c = DriverManager.getConnection(url, properties);
        try (Statement s = c.createStatement()) {
            // Without fsync each commit returns before the WAL reaches the disk; a crash of the database
            // server (not of ours) may then lose the last moments of writes.
            s.execute("SET synchronous_commit = " + (options.fsyncEachCommit() ? "on" : "off"));
            // The writer's statements are keyed lookups whose shape varies with the batch; a cached generic
            // plan made on a young table (no statistics) can be a sequential scan that never goes away.
            s.execute("SET plan_cache_mode = force_custom_plan");
        }
        c.setAutoCommit(false);
        return c;
    }

    @Override
    public HikariDataSource openReadPool(int size) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("parley-postgres-read");
        hikari.setJdbcUrl(url);
        hikari.setDataSourceProperties(properties());
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(Math.min(2, size));
        return new HikariDataSource(hikari);
    }

    private static Properties properties() {
        Properties properties = new Properties();
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.setProperty("ApplicationName", "parley");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        return properties;
    }

    @Override
    public String lockRows() {
        return " FOR UPDATE";
    }
}
