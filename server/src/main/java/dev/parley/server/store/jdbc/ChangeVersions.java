package dev.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Where a write transaction's change version comes from ({@link Tx#version()}) and how far readers may trust
 * them ({@link #visibleUpTo}). The one rule both keep: a change not yet visible to a reader has a version above
 * what {@link #visibleUpTo} told that reader.
 *
 * <p>Runs on: the writer thread ({@link #take}, {@link #committed}, {@link #rolledBack}); readers' threads
 * ({@link #visibleUpTo}).
 */
abstract sealed class ChangeVersions {

    /** The version of the transaction now open; called at most once per transaction. */
    abstract long take(Tx tx) throws SQLException;

    /** The open transaction committed (durably, as far as the engine's settings go). */
    void committed() {
    }

    /** The open transaction was rolled back, or its outcome is unknown. */
    void rolledBack() {
    }

    /** Run before a list sync reads the changes: see {@link Dialect#changesVisibleUpTo}. */
    abstract long visibleUpTo(Connection reader) throws SQLException;

    /** Owned versions where the writer is the database's only one, else the dialect's statements. */
    static ChangeVersions of(Dialect dialect, Connection writer) throws SQLException {
        return dialect.soleWriter() ? Owned.load(writer) : new FromDialect(dialect);
    }

    /** The dialect's statements in every transaction (PostgreSQL: the transaction id). */
    static final class FromDialect extends ChangeVersions {
        private final Dialect dialect;

        FromDialect(Dialect dialect) {
            this.dialect = dialect;
        }

        @Override
        long take(Tx tx) throws SQLException {
            PreparedStatement ps = tx.prepare(dialect.changeVersionSql());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no change version (the counters table has no 'version' row?)");
                }
                return rs.getLong(1);
            }
        }

        @Override
        long visibleUpTo(Connection reader) throws SQLException {
            return dialect.changesVisibleUpTo(reader);
        }
    }

    /**
     * The sole writer's versions (SQLite: one server per file) counted in memory, so a commit no longer writes
     * the one-row {@code counters} table (a whole WAL page for eight bytes, in every commit). Readers are told the
     * version of the last commit, published after that commit returned, so every change at or below it is visible
     * to the reads that follow.
     *
     * <p>The {@code counters} row stays an upper bound of every version stamped in the file: before handing out
     * versions past it, a transaction moves it {@value #BLOCK} further (once per {@value #BLOCK} transactions),
     * so a restart (or an older Parley on the same file) continues above every stamped version without
     * scanning the tables; a restart skips at most {@value #BLOCK} versions, which list sync does not mind.
     */
    static final class Owned extends ChangeVersions {
        static final long BLOCK = 1000;
        private static final String RESERVE = "UPDATE counters SET value = MAX(value, ?) + ? WHERE name = 'version'"
                + " RETURNING value";

        /** The last version handed out (writer thread). */
        private long last;
        /** The {@code counters} row's committed value: versions up to it may be handed out without writing it. */
        private long reserved;
        /** What the open transaction moved the row to, or -1. */
        private long staging = -1;
        /** The open transaction's version, or -1. */
        private long taken = -1;
        /** The version of the last commit: every change at or below it is visible. */
        private volatile long visible;

        private Owned(long counter) {
            this.last = counter;
            this.reserved = counter;
            this.visible = counter;
        }

        /** Reads the counter on the writer's connection (and ends that read transaction). */
        static Owned load(Connection writer) throws SQLException {
            long counter;
            try (PreparedStatement ps = writer.prepareStatement("SELECT value FROM counters WHERE name = 'version'");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the counters table has no 'version' row");
                }
                counter = rs.getLong(1);
            } finally {
                writer.rollback();
            }
            return new Owned(counter);
        }

        @Override
        long take(Tx tx) throws SQLException {
            if (last >= reserved) {
                // MAX: if anyone else moved the row beyond what we hand out, continue above them.
                PreparedStatement ps = tx.prepare(RESERVE);
                ps.setLong(1, last);
                ps.setLong(2, BLOCK);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("the counters table has no 'version' row");
                    }
                    staging = rs.getLong(1);
                }
                last = staging - BLOCK;
            }
            taken = ++last;
            return taken;
        }

        @Override
        void committed() {
            if (staging >= 0) {
                reserved = staging;
                staging = -1;
            }
            if (taken >= 0) {
                visible = taken;
                taken = -1;
            }
        }

        /** The versions taken stay used (skipped); the row keeps its committed value, so it is moved again. */
        @Override
        void rolledBack() {
            staging = -1;
            taken = -1;
        }

        @Override
        long visibleUpTo(Connection reader) {
            return visible;
        }
    }
}
