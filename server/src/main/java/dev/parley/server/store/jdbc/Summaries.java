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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One member's summaries of many conversations in four queries per {@value #CHUNK} conversations, not
 * four per conversation: a first list sync of a user with thousands of conversations stays cheap.
 */
final class Summaries {
    private static final int CHUNK = 500;

    private Summaries() {
    }

    /** Summaries in the order of {@code conversationIds}, leaving out those the user is not a member of. */
    static List<ConversationSummary> load(Connection c, String userId, List<String> conversationIds)
            throws SQLException {
        List<ConversationSummary> all = new ArrayList<>(conversationIds.size());
        for (int from = 0; from < conversationIds.size(); from += CHUNK) {
            all.addAll(chunk(c, userId, conversationIds.subList(from, Math.min(conversationIds.size(), from + CHUNK))));
        }
        return all;
    }

    private static List<ConversationSummary> chunk(Connection c, String userId, List<String> ids)
            throws SQLException {
        String in = "(" + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")";
        Map<String, Conversation> conversations = new HashMap<>();
        Map<String, Long> lastMessageSeq = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.id, c.kind, c.title, c.e2ee, c.last_seq,"
                + " c.created_by, c.direct_key, c.created_at_ms, c.mls_epoch, (SELECT e.seq FROM entries e"
                + " WHERE e.conversation_id = c.id AND e.kind IN ('text', 'media') ORDER BY e.seq DESC LIMIT 1)"
                + " FROM conversations c WHERE c.id IN " + in)) {
            bind(ps, 1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    conversations.put(id, new Conversation(id, ConversationKind.fromWire(rs.getString(2)),
                            rs.getString(3), rs.getBoolean(4), rs.getLong(5), rs.getString(6), rs.getString(7),
                            rs.getLong(8), List.of(), rs.getLong(9)));
                    long seq = rs.getLong(10);
                    if (!rs.wasNull()) {
                        lastMessageSeq.put(id, seq);
                    }
                }
            }
        }
        Map<String, List<Watermarks>> receipts = new HashMap<>();
        Map<String, Map<String, String>> roles = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT conversation_id, user_id, delivered_seq, read_seq, role"
                + " FROM members WHERE conversation_id IN " + in + " ORDER BY conversation_id, ordinal")) {
            bind(ps, 1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    receipts.computeIfAbsent(id, k -> new ArrayList<>())
                            .add(new Watermarks(id, rs.getString(2), rs.getLong(3), rs.getLong(4)));
                    roles.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(5));
                }
            }
        }
        Map<String, Long> unread = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT e.conversation_id, COUNT(*) FROM entries e"
                + " JOIN members m ON m.conversation_id = e.conversation_id AND m.user_id = ?"
                + " WHERE e.conversation_id IN " + in + " AND e.seq > m.read_seq AND e.kind IN ('text', 'media')"
                + " AND (e.sender_id IS NULL OR e.sender_id <> ?) GROUP BY e.conversation_id")) {
            ps.setString(1, userId);
            bind(ps, 2, ids);
            ps.setString(ids.size() + 2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unread.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        Map<String, Message> lastMessages = lastMessages(c, lastMessageSeq);
        List<ConversationSummary> summaries = new ArrayList<>(ids.size());
        for (String id : ids) {
            Conversation row = conversations.get(id);
            List<Watermarks> members = receipts.getOrDefault(id, List.of());
            Watermarks mine = members.stream().filter(w -> w.userId().equals(userId)).findFirst().orElse(null);
            if (row == null || mine == null) {
                continue;
            }
            Conversation conversation = new Conversation(row.conversationId(), row.kind(), row.title(), row.e2ee(),
                    row.lastSeq(), row.createdBy(), row.directKey(), row.createdAtMs(),
                    members.stream().map(Watermarks::userId).toList(), row.epoch(), roles.get(id));
            summaries.add(new ConversationSummary(conversation, mine.deliveredSeq(), mine.readSeq(),
                    unread.getOrDefault(id, 0L), List.copyOf(members), Optional.ofNullable(lastMessages.get(id))));
        }
        return summaries;
    }

    private static Map<String, Message> lastMessages(Connection c, Map<String, Long> seqs) throws SQLException {
        Map<String, Message> found = new HashMap<>();
        if (seqs.isEmpty()) {
            return found;
        }
        String where = String.join(" OR ", Collections.nCopies(seqs.size(), "(conversation_id = ? AND seq = ?)"));
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EntryRows.COLUMNS + " FROM entries WHERE "
                + where)) {
            int p = 1;
            for (Map.Entry<String, Long> e : seqs.entrySet()) {
                ps.setString(p++, e.getKey());
                ps.setLong(p++, e.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Message m = EntryRows.read(rs);
                    found.put(m.conversationId(), m);
                }
            }
        }
        return found;
    }

    private static void bind(PreparedStatement ps, int first, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            ps.setString(first + i, values.get(i));
        }
    }
}
