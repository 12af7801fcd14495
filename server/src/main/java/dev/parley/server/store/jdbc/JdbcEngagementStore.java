package dev.parley.server.store.jdbc;

import dev.parley.core.port.EngagementStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Engagement (who chose to talk where) in the node's database, SQLite or PostgreSQL with the same SQL.
 * Writes go through the group-committing writer; {@code ON CONFLICT DO NOTHING} makes racing nodes safe.
 */
public final class JdbcEngagementStore implements EngagementStore {
    private static final int IN_CHUNK = 500;

    private final Database db;

    public JdbcEngagementStore(Database db) {
        this.db = db;
    }

    @Override
    public boolean engage(String conversationId, String userId, long atMs) {
        return db.writeAndWait(new WriteOp.InTransaction<>("engage conversation=" + conversationId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO engagements"
                    + " (conversation_id, user_id, engaged_at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, conversationId);
                ps.setString(2, userId);
                ps.setLong(3, atMs);
                return ps.executeUpdate() > 0;
            }
        }));
    }

    @Override
    public Map<String, Set<String>> engagedIn(Collection<String> conversationIds) {
        List<String> ids = List.copyOf(new HashSet<>(conversationIds));
        Map<String, Set<String>> out = new HashMap<>();
        for (int i = 0; i < ids.size(); i += IN_CHUNK) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + IN_CHUNK));
            db.read("engagements of conversations", c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT conversation_id, user_id FROM engagements"
                        + " WHERE conversation_id IN (" + marks(chunk.size()) + ")")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        ps.setString(k + 1, chunk.get(k));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.computeIfAbsent(rs.getString(1), x -> new HashSet<>()).add(rs.getString(2));
                        }
                    }
                }
                return null;
            });
        }
        return out;
    }

    private static String marks(int n) {
        List<String> q = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            q.add("?");
        }
        return String.join(", ", q);
    }
}
