package dev.parley.server.store.jdbc;

import dev.parley.core.port.BlockStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks in the node's database (SQLite or PostgreSQL, same SQL). {@code ON CONFLICT DO NOTHING} keeps the first
 * block when nodes race; the primary key (blocker, blocked) serves every query.
 */
public final class JdbcBlockStore implements BlockStore {
    private final Database db;

    public JdbcBlockStore(Database db) {
        this.db = db;
    }

    @Override
    public boolean block(String blockerId, String blockedId, long atMs) {
        return db.writeAndWait(new WriteOp.InTransaction<>("block user=" + blockerId, tx -> {
            Connection c = tx.connection();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blocks (blocker_id, blocked_id, created_at_ms)"
                    + " VALUES (?, ?, ?) ON CONFLICT (blocker_id, blocked_id) DO NOTHING")) {
                ps.setString(1, blockerId);
                ps.setString(2, blockedId);
                ps.setLong(3, atMs);
                return ps.executeUpdate() > 0;
            }
        }));
    }

    @Override
    public boolean unblock(String blockerId, String blockedId) {
        return db.writeAndWait(new WriteOp.InTransaction<>("unblock user=" + blockerId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?")) {
                ps.setString(1, blockerId);
                ps.setString(2, blockedId);
                return ps.executeUpdate() > 0;
            }
        }));
    }

    @Override
    public List<Blocked> blockedBy(String blockerId) {
        return db.read("blocks of a user", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT blocked_id, created_at_ms FROM blocks"
                    + " WHERE blocker_id = ? ORDER BY created_at_ms, blocked_id")) {
                ps.setString(1, blockerId);
                List<Blocked> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Blocked(rs.getString(1), rs.getLong(2)));
                    }
                }
                return out;
            }
        });
    }
}
