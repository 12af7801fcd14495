package dev.parley.server.store.jdbc;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.ConversationSummary;
import dev.parley.core.GroupRoles;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.Message;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link MessageStore} on SQL, shared by the engine adapters. Writes go through the database's
 * group-committing writer; reads use the pool. Closing it releases nothing: the owning {@code Stores}
 * closes the database.
 */
public final class JdbcMessageStore implements MessageStore {

    private static final String AFTER = "SELECT " + EntryRows.PAGE_COLUMNS
            + " FROM entries WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?";
    private static final String BEFORE = "SELECT " + EntryRows.PAGE_COLUMNS
            + " FROM entries WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?";

    private static final String LAST_SEQ = "SELECT last_seq FROM conversations WHERE id = ?";

    private final Database db;

    public JdbcMessageStore(Database db) {
        this.db = db;
    }

    @Override
    public Conversation createConversation(Conversation conversation) {
        return db.writeAndWait(new WriteOp.InTransaction<>(
                "create conversation " + conversation.conversationId(), tx -> create(tx, conversation)));
    }

    private static Conversation create(Tx tx, Conversation conversation) throws SQLException {
        long version = tx.version();
        Connection c = tx.connection();
        if (conversation.directKey() != null) {
            // One direct conversation per pair: claimed in direct_pairs (keyed by the pair, so no unique constraint
            // spans the conversations' shards on Citus); a concurrent creator waits for our commit, then finds ours.
            int claimed;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO direct_pairs (direct_key, conversation_id)"
                    + " VALUES (?, ?) ON CONFLICT (direct_key) DO NOTHING")) {
                ps.setString(1, conversation.directKey());
                ps.setString(2, conversation.conversationId());
                claimed = ps.executeUpdate();
            }
            if (claimed == 0) {
                return Queries.direct(c, conversation.directKey()).orElseThrow(
                        () -> new SQLException("direct conversation vanished: " + conversation.directKey()));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO conversations (id, kind, title, e2ee, last_seq,"
                + " created_by, direct_key, created_at_ms, updated_version) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)")) {
            ps.setString(1, conversation.conversationId());
            ps.setString(2, conversation.kind().wire());
            EntryRows.setString(ps, 3, conversation.title());
            ps.setBoolean(4, conversation.e2ee());
            EntryRows.setString(ps, 5, conversation.createdBy());
            EntryRows.setString(ps, 6, conversation.directKey());
            ps.setLong(7, conversation.createdAtMs());
            ps.setLong(8, version);
            ps.executeUpdate();
        }
        List<String> members = List.copyOf(new LinkedHashSet<>(conversation.members()));
        Map<String, String> roles = new LinkedHashMap<>();
        for (String member : members) {
            roles.put(member, member.equals(conversation.createdBy()) ? GroupRoles.OWNER : GroupRoles.MEMBER);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO members (conversation_id, user_id, role, ordinal,"
                + " delivered_seq, read_seq, joined_seq, updated_version) VALUES (?, ?, ?, ?, 0, 0, 0, ?)")) {
            for (int i = 0; i < members.size(); i++) {
                ps.setString(1, conversation.conversationId());
                ps.setString(2, members.get(i));
                ps.setString(3, roles.get(members.get(i)));
                ps.setInt(4, i);
                ps.setLong(5, version);
                ps.addBatch();
            }
            if (!members.isEmpty()) {
                ps.executeBatch();
            }
        }
        return new Conversation(conversation.conversationId(), conversation.kind(), conversation.title(),
                conversation.e2ee(), 0, conversation.createdBy(), conversation.directKey(),
                conversation.createdAtMs(), members, 0, roles);
    }

    @Override
    public Optional<Conversation> findConversation(String conversationId) {
        return db.read("find conversation " + conversationId, c -> Queries.conversation(c, conversationId));
    }

    @Override
    public Optional<Conversation> findDirect(String directKey) {
        return db.read("find direct conversation", c -> Queries.direct(c, directKey));
    }

    @Override
    public boolean isMember(String conversationId, String userId) {
        return db.read("membership check", c -> Queries.isMember(c, conversationId, userId));
    }

    @Override
    public List<String> conversationIdsOf(String userId) {
        return db.read("conversations of " + userId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT conversation_id FROM members WHERE user_id = ?")) {
                ps.setString(1, userId);
                return strings(ps);
            }
        });
    }

    @Override
    public CompletableFuture<Appended> append(NewEntry entry) {
        return db.write(new WriteOp.Append(entry));
    }

    @Override
    public List<Message> entriesAfter(String conversationId, long afterSeq, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return db.read("entries of " + conversationId, c -> Queries.page(c, AFTER, conversationId, afterSeq, limit));
    }

    /**
     * Pages may be kept by it: the only change to stored entries besides appends is a delete's erasure
     * ({@code WriteBatch}), made in the transaction of the delete's own append, which moves {@code last_seq}
     * (and a conversation's row and entries live together, one shard on Citus).
     */
    @Override
    public OptionalLong lastSeq(String conversationId) {
        return db.read("last seq of a conversation", c -> {
            try (PreparedStatement ps = c.prepareStatement(LAST_SEQ)) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    @Override
    public List<Message> entriesBefore(String conversationId, long beforeSeq, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        List<Message> newestFirst = db.read("entries of " + conversationId,
                c -> Queries.page(c, BEFORE, conversationId, beforeSeq, limit));
        return newestFirst.reversed();
    }

    @Override
    public Optional<Message> entry(String conversationId, long seq) {
        return db.read("entry of " + conversationId, c -> Queries.entries(c, "SELECT " + EntryRows.COLUMNS
                + " FROM entries WHERE conversation_id = ? AND seq = ?", conversationId, seq))
                .stream().findFirst();
    }

    @Override
    public Optional<Message> findByClientMsgId(String conversationId, String senderDeviceId, String clientMsgId) {
        return db.read("idempotency key in " + conversationId, c -> Queries.entries(c, "SELECT " + EntryRows.COLUMNS
                + " FROM entries WHERE conversation_id = ? AND sender_device_id = ? AND client_msg_id = ?",
                conversationId, senderDeviceId, clientMsgId)).stream().findFirst();
    }

    @Override
    public Optional<Message> latestReaction(String conversationId, long target, String userId, String emoji) {
        return db.read("reaction in " + conversationId, c -> Queries.entries(c, "SELECT " + EntryRows.COLUMNS
                + " FROM entries WHERE conversation_id = ? AND target = ? AND kind = 'reaction' AND sender_id = ?"
                + " AND emoji = ? ORDER BY seq DESC LIMIT 1", conversationId, target, userId, emoji))
                .stream().findFirst();
    }

    @Override
    public CompletableFuture<Optional<Watermarks>> moveWatermarks(String conversationId, String userId,
                                                                 long deliveredSeq, long readSeq) {
        return db.write(new WriteOp.MoveWatermarks(conversationId, userId, deliveredSeq, readSeq));
    }

    @Override
    public Optional<ConversationSummary> summary(String conversationId, String userId) {
        return db.read("summary of " + conversationId, c -> Queries.summary(c, conversationId, userId));
    }

    /**
     * Reads how far every change is visible before reading the changes ({@link Dialect#changesVisibleUpTo}):
     * anything not visible then has a higher version, so a sync from any version up to that misses nothing. The
     * version returned is the newest this user has seen, capped there: a sync that finds nothing new returns the
     * version it was given, and the next one does not see this one's changes again.
     */
    @Override
    public ConversationChanges changesSince(String userId, long sinceVersion) {
        return db.read("changes of " + userId, c -> {
            long visibleUpTo = db.changesVisibleUpTo(c);
            List<String> changedIds;
            try (PreparedStatement ps = c.prepareStatement("SELECT m.conversation_id FROM members m"
                    + " JOIN conversations c ON c.id = m.conversation_id"
                    + " WHERE m.user_id = ? AND (c.updated_version > ? OR m.updated_version > ?)"
                    + " ORDER BY c.updated_version")) {
                ps.setString(1, userId);
                ps.setLong(2, sinceVersion);
                ps.setLong(3, sinceVersion);
                changedIds = strings(ps);
            }
            List<String> removed;
            try (PreparedStatement ps = c.prepareStatement("SELECT r.conversation_id FROM member_removals r"
                    + " WHERE r.user_id = ? AND r.version > ? AND NOT EXISTS (SELECT 1 FROM members m"
                    + " WHERE m.conversation_id = r.conversation_id AND m.user_id = r.user_id)")) {
                ps.setString(1, userId);
                ps.setLong(2, sinceVersion);
                removed = strings(ps);
            }
            long newest;
            try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT COALESCE(MAX(CASE WHEN c.updated_version"
                    + " > m.updated_version THEN c.updated_version ELSE m.updated_version END), 0) FROM members m"
                    + " JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ?),"
                    + " (SELECT COALESCE(MAX(version), 0) FROM member_removals WHERE user_id = ?)")) {
                ps.setString(1, userId);
                ps.setString(2, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    newest = Math.max(rs.getLong(1), rs.getLong(2));
                }
            }
            long version = Math.max(sinceVersion, Math.min(visibleUpTo, Math.max(sinceVersion, newest)));
            // Leaves out a conversation the user left in between: that removal has a version above ours.
            List<ConversationSummary> changed = Summaries.load(c, userId, changedIds);
            return new ConversationChanges(changed, removed, version);
        });
    }

    private static List<String> strings(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    @Override
    public void close() {
        // The owning Stores closes the database.
    }
}
