package dev.parley.server.store.jdbc;

import dev.parley.core.Conversation;
import dev.parley.core.ConversationSummary;
import dev.parley.core.Watermarks;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.Message;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The read queries, on a caller's connection: the read pool's, or the writer's inside its transaction. */
final class Queries {

    private static final String CONVERSATION_COLUMNS =
            "id, kind, title, e2ee, last_seq, created_by, direct_key, created_at_ms, mls_epoch";

    private Queries() {
    }

    static Optional<Conversation> conversation(Connection c, String conversationId) throws SQLException {
        return conversationWhere(c, "id = ?", conversationId);
    }

    /** The direct conversation of a pair, through {@code direct_pairs} (the table that keeps it unique). */
    static Optional<Conversation> direct(Connection c, String directKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT conversation_id FROM direct_pairs WHERE direct_key = ?")) {
            ps.setString(1, directKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? conversation(c, rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static Optional<Conversation> conversationWhere(Connection c, String where, String key)
            throws SQLException {
        Optional<Conversation> row = conversationRow(c, where, key);
        if (row.isEmpty()) {
            return row;
        }
        Map<String, String> roles = roles(c, row.get().conversationId());
        return Optional.of(withMembers(row.get(), List.copyOf(roles.keySet())).withRoles(roles));
    }

    /** Every member's role, in join order. */
    static Map<String, String> roles(Connection c, String conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT user_id, role FROM members"
                + " WHERE conversation_id = ? ORDER BY ordinal")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, String> all = new LinkedHashMap<>();
                while (rs.next()) {
                    all.put(rs.getString(1), rs.getString(2));
                }
                return all;
            }
        }
    }

    /** The conversation's own row, with no members filled in. */
    private static Optional<Conversation> conversationRow(Connection c, String where, String key)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + CONVERSATION_COLUMNS + " FROM conversations WHERE " + where)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Conversation(rs.getString(1), ConversationKind.fromWire(rs.getString(2)),
                        rs.getString(3), rs.getBoolean(4), rs.getLong(5), rs.getString(6), rs.getString(7),
                        rs.getLong(8), List.of(), rs.getLong(9)));
            }
        }
    }

    private static Conversation withMembers(Conversation c, List<String> members) {
        return new Conversation(c.conversationId(), c.kind(), c.title(), c.e2ee(), c.lastSeq(), c.createdBy(),
                c.directKey(), c.createdAtMs(), members, c.epoch());
    }

    /** Every member's watermarks, in join order. */
    static List<Watermarks> watermarks(Connection c, String conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT user_id, delivered_seq, read_seq FROM members"
                + " WHERE conversation_id = ? ORDER BY ordinal")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                List<Watermarks> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(new Watermarks(conversationId, rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
                return all;
            }
        }
    }

    static boolean isMember(Connection c, String conversationId, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM members WHERE conversation_id = ? AND user_id = ?")) {
            ps.setString(1, conversationId);
            ps.setString(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static List<Message> entries(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Message> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(EntryRows.read(rs));
                }
                return result;
            }
        }
    }

    /**
     * Entries of one conversation selected with {@link EntryRows#PAGE_COLUMNS}; the first parameter is
     * {@code conversationId} (the query is {@code conversation_id = ?} and more).
     */
    static List<Message> page(Connection c, String sql, String conversationId, long seq, int limit)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, conversationId);
            ps.setLong(2, seq);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Message> result = new ArrayList<>(Math.min(limit, 1_000));
                while (rs.next()) {
                    result.add(EntryRows.readPage(rs, conversationId));
                }
                return result;
            }
        }
    }

    /** One member's view of one conversation, if they are a member. */
    static Optional<ConversationSummary> summary(Connection c, String conversationId, String userId)
            throws SQLException {
        return Summaries.load(c, userId, List.of(conversationId)).stream().findFirst();
    }
}
