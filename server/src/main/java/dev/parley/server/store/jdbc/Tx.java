package dev.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * One write transaction of the writer thread. Its change version ({@link ChangeVersions}) is taken
 * lazily, at most once, before any conversation row is touched. On SQLite the (single) writer counts them in
 * memory; on PostgreSQL it is the transaction's own id ({@link Dialect#changeVersionSql}), so the
 * writers of different nodes no longer queue behind one row: they meet only on the rows they share (a
 * conversation's row, which orders its appends), and a rare deadlock between two batches is resolved by
 * PostgreSQL aborting one, which the writer then redoes write by write.
 */
public final class Tx {
    private final Connection connection;
    private final boolean lookUpFirst;
    private final Statements statements;
    private final LastSeqs lastSeqs;
    private final ChangeVersions versions;
    private long version = -1;

    Tx(Connection connection, boolean lookUpFirst, Statements statements, LastSeqs lastSeqs,
            ChangeVersions versions) {
        this.versions = versions;
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

    /** This transaction's change version, taken on first use. */
    public long version() throws SQLException {
        if (version < 0) {
            version = versions.take(this);
        }
        return version;
    }
}
