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
    private long version = -1;

    Tx(Connection connection, boolean lookUpFirst) {
        this.connection = connection;
        this.lookUpFirst = lookUpFirst;
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
            try (PreparedStatement ps = connection.prepareStatement(
                    "UPDATE counters SET value = value + 1 WHERE name = 'version' RETURNING value");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the counters table has no 'version' row");
                }
                version = rs.getLong(1);
            }
        }
        return version;
    }
}
