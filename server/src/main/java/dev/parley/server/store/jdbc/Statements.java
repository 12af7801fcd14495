package dev.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer connection's prepared statements, kept across batches so that the hot statements (the
 * multi-row insert, the {@code last_seq} update, the version counter) are parsed and planned once per
 * connection instead of once per batch. Callers must not close what they get; they must bind every
 * parameter on each use. After any failed batch the writer {@linkplain #closeAll() closes them all}, so a
 * half-bound statement or a half-filled JDBC batch is never reused.
 *
 * <p>Runs on: the writer thread only.
 */
final class Statements {
    private static final Logger LOG = LoggerFactory.getLogger(Statements.class);

    /** More distinct statements than this (shapes of rare statements) and the oldest are closed. */
    private static final int MAX_STATEMENTS = 64;

    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    /** The statement for {@code sql} on {@code c}, prepared on first use. */
    PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = prepared.get(sql);
        if (ps == null) {
            if (prepared.size() >= MAX_STATEMENTS) {
                closeAll();
            }
            ps = c.prepareStatement(sql);
            prepared.put(sql, ps);
        }
        return ps;
    }

    /** Closes every kept statement (after a failed batch, or with the connection). */
    void closeAll() {
        for (PreparedStatement ps : prepared.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                LOG.debug("closing a kept statement failed", e);
            }
        }
        prepared.clear();
    }
}
