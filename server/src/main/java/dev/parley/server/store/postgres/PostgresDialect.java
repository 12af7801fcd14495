package dev.parley.server.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.jdbc.Dialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

    /**
     * No global counter row on PostgreSQL (it serialised the writers of every node, and on Citus would be a
     * reference-table write in every transaction, docs/scaling.md): a write transaction stamps its changes with
     * its own 64-bit transaction id ({@code xid8}, assigned without a shared row lock, never wrapping).
     */
    @Override
    public String changeVersionSql() {
        return "SELECT pg_current_xact_id()::text::bigint";
    }

    /**
     * One below the oldest id a change not yet visible can have. First the next transaction id to be assigned
     * ({@code xmax} of a fresh snapshot): every transaction that starts writing later gets an id at least that.
     * Then, of the Parley writers on this schema running now (their connections are named
     * {@code parley-writer <schema>}), the oldest id: the change of a writer that started before and still runs.
     * A writer that started before and committed in between is visible to the queries that follow. Only this
     * schema's writers count, so other work on the same server (a long report, a dump, another application)
     * does not hold list sync back.
     */
    @Override
    public long changesVisibleUpTo(Connection c) throws SQLException {
        long next;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            next = rs.getLong(1);
        }
        // pg_stat_activity shows 32-bit ids: widen each against `next` (a running id is below it, within 2^31).
        try (PreparedStatement ps = c.prepareStatement("SELECT min(? - d) FROM ("
                + " SELECT ((? % 4294967296) - backend_xid::text::bigint + 4294967296) % 4294967296 AS d"
                + " FROM pg_stat_activity WHERE application_name = left('parley-writer ' || current_schema(), 63)"
                + " AND backend_xid IS NOT NULL AND datname = current_database()) w WHERE d < 2147483648")) {
            ps.setLong(1, next);
            ps.setLong(2, next);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long oldest = rs.getObject(1) != null ? rs.getLong(1) : next;
                return Math.min(next, oldest) - 1;
            }
        }
    }

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
            // Readers look for the running writers of their schema by this name (changesVisibleUpTo).
            s.execute("SELECT set_config('application_name', left('parley-writer ' || current_schema(), 63), false)");
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
