package dev.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One write transaction of the writer thread. The global change version is taken lazily, at most once,
 * and before any conversation row is touched: the counter's row lock then orders every writer (on every
 * node) the same way, so versions become visible in commit order and writers never deadlock.
 */
public final class Tx {
    private final Connection connection;
    private final boolean lookUpFirst;
    private final Statements statements;
    private final LastSeqs lastSeqs;
    private long version = -1;

    Tx(Connection connection, boolean lookUpFirst, Statements statements, LastSeqs lastSeqs) {
        this.connection = connection;
        this.lookUpFirst = lookUpFirst;
        this.statements = statements;
        this.lastSeqs = lastSeqs;
    }

    /** A statement kept by the writer across batches: bind every parameter, never close it. */
    PreparedStatement prepare(String sql) throws SQLException {
        return statements.prepare(connection, sql);
    }

    /** The writer's {@code seq} reservations. */
    LastSeqs lastSeqs() {
        return lastSeqs;
    }

    /**
     * Whether appends look their idempotency keys up before inserting. Normally they do not: the insert
     * skips stored keys and reports them, and only then is the batch redone with lookups (retries are rare).
     */
    boolean lookUpFirst() {
        return lookUpFirst;
    }

    public Connection connection() {
        return connection;
    }

    /** This transaction's change version, taken from the counter on first use. */
    public long version() throws SQLException {
        if (version < 0) {
            PreparedStatement ps = prepare("UPDATE counters SET value = value + 1 WHERE name = 'version'"
                    + " RETURNING value");
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the counters table has no 'version' row");
                }
                version = rs.getLong(1);
            }
        }
        return version;
    }
}
