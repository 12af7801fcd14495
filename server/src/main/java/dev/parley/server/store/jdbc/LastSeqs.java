package dev.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reserves {@code seq}s for a batch's appends: moves each conversation's {@code last_seq} once for all of
 * its new entries.
 *
 * <p>Where the writer is the database's only writer (SQLite), it owns every conversation's {@code last_seq}
 * in memory: loaded once per conversation, then a batch reserves its seqs without reading and writes the
 * new values through one reused statement. Each update is conditional on the value it expects
 * ({@code WHERE last_seq = ?}); if any row does not match (someone else wrote the file), the batch fails
 * with {@link Stale} and the writer forgets the cache and redoes it, so a wrong cache costs a retry, never a
 * wrong seq. Values reserved by a batch are staged and become the cache's only after its commit; after a
 * rollback the writer {@linkplain #forget() forgets} everything and reloads on demand.
 *
 * <p>Where several writers share the database (PostgreSQL, one per node), each batch increments the rows
 * and reads the results back in one statement, whose row locks keep the other nodes' writers out until
 * commit.
 *
 * <p>Runs on: the writer thread only.
 */
final class LastSeqs {

    /** Conversations whose {@code last_seq} are loaded or reserved per statement (two parameters each). */
    private static final int CHUNK = 200;
    /** Conversations remembered; beyond this the least recently used are forgotten (reloaded when needed). */
    private static final int REMEMBERED = 100_000;

    private static final String UPDATE_OWNED =
            "UPDATE conversations SET last_seq = ?, updated_version = ? WHERE id = ? AND last_seq = ?";

    private final boolean owned;
    private final Map<String, Long> committed = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Map<String, Long> staged = new HashMap<>();

    /** @param owned whether this writer is the database's only writer (and may keep seqs in memory) */
    LastSeqs(boolean owned) {
        this.owned = owned;
    }

    /**
     * Reserves {@code counts.get(id)} seqs in each conversation; returns each known conversation's new
     * {@code last_seq} (its reserved seqs end there). Unknown conversations are absent from the result.
     */
    Map<String, Long> reserve(Tx tx, Map<String, Integer> counts, long version) throws SQLException {
        return owned ? reserveOwned(tx, counts, version) : reserveShared(tx.connection(), counts, version);
    }

    private Map<String, Long> reserveOwned(Tx tx, Map<String, Integer> counts, long version) throws SQLException {
        List<String> missing = new ArrayList<>();
        for (String id : counts.keySet()) {
            if (current(id) == null) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            load(tx.connection(), missing);
        }
        Map<String, Long> reserved = new HashMap<>();
        List<String> updated = new ArrayList<>(counts.size());
        PreparedStatement ps = tx.prepare(UPDATE_OWNED);
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            Long last = current(e.getKey());
            if (last == null) {
                continue; // unknown conversation
            }
            long next = last + e.getValue();
            ps.setLong(1, next);
            ps.setLong(2, version);
            ps.setString(3, e.getKey());
            ps.setLong(4, last);
            ps.addBatch();
            updated.add(e.getKey());
            reserved.put(e.getKey(), next);
        }
        if (updated.isEmpty()) {
            return reserved;
        }
        int[] rows = ps.executeBatch();
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != 1) {
                throw new Stale(updated.get(i));
            }
        }
        staged.putAll(reserved);
        return reserved;
    }

    private Long current(String id) {
        Long seq = staged.get(id);
        return seq != null ? seq : committed.get(id);
    }

    /** Loads committed values; called before this transaction touched those rows, so they are committed too. */
    private void load(Connection c, List<String> ids) throws SQLException {
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            StringBuilder sql = new StringBuilder("SELECT id, last_seq FROM conversations WHERE id IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        committed.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
    }

    /** Increments and reads back in one statement per chunk; the row locks serialize writers of all nodes. */
    private static Map<String, Long> reserveShared(Connection c, Map<String, Integer> counts, long version)
            throws SQLException {
        Map<String, Long> lastSeqs = new HashMap<>();
        List<String> ids = new ArrayList<>(counts.keySet());
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            StringBuilder sql = new StringBuilder("UPDATE conversations SET last_seq = last_seq + v.n,"
                    + " updated_version = ? FROM (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "SELECT ? AS cid, ? AS n" : " UNION ALL SELECT ?, ?");
            }
            sql.append(") AS v WHERE conversations.id = v.cid RETURNING id, last_seq");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int p = 1;
                ps.setLong(p++, version);
                for (String id : chunk) {
                    ps.setString(p++, id);
                    ps.setInt(p++, counts.get(id));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lastSeqs.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return lastSeqs;
    }

    /** The batch committed: what it reserved is now the database's value. */
    void committed() {
        committed.putAll(staged);
        staged.clear();
    }

    /** The batch failed or its outcome is unknown: forget everything, reload on demand. */
    void forget() {
        committed.clear();
        staged.clear();
    }

    /** A conversation's {@code last_seq} in the database is not the one this writer expected. */
    static final class Stale extends RuntimeException {
        Stale(String conversationId) {
            super("last_seq of " + conversationId + " changed behind the writer", null, false, false);
        }
    }
}
