package dev.parley.server.store.jdbc;

import dev.parley.core.Appended;
import dev.parley.core.GroupRoles;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.core.port.UnknownConversationException;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies one batch of writes inside the writer's transaction. Runs of appends and watermark moves are
 * applied together with few statements: one {@code seq} reservation per batch ({@link LastSeqs}), kept
 * multi-row inserts of up to 256 entries, then deletes, membership changes and watermarks. Other writes
 * run in queue order between those runs.
 *
 * <p>Idempotency is checked optimistically: the insert skips rows whose key is already stored, and if it
 * skipped any, {@link StoredDuplicate} makes the writer roll back and redo the batch with a lookup of
 * every key first ({@link Tx#lookUpFirst()}). Duplicates within one batch are found in memory.
 */
final class WriteBatch {

    /** Idempotency keys looked up per statement (three parameters each). */
    private static final int LOOKUP_CHUNK = 64;
    /** Rows per insert statement ({@value EntryRows#PARAMETERS} parameters each), largest first. */
    private static final int[] INSERT_SIZES = {256, 64, 16, 4, 1};

    private final Tx tx;
    private final Connection c;
    private final List<WriteOp.Append> appends = new ArrayList<>();
    private final List<WriteOp.MoveWatermarks> moves = new ArrayList<>();

    private WriteBatch(Tx tx) {
        this.tx = tx;
        this.c = tx.connection();
    }

    static void apply(Tx tx, List<WriteOp<?>> ops) throws SQLException {
        WriteBatch batch = new WriteBatch(tx);
        for (WriteOp<?> op : ops) {
            switch (op) {
                case WriteOp.Append a -> batch.appends.add(a);
                case WriteOp.MoveWatermarks m -> batch.moves.add(m);
                case WriteOp.InTransaction<?> t -> {
                    batch.flush();
                    runInTransaction(tx, t);
                }
            }
        }
        batch.flush();
    }

    private static <T> void runInTransaction(Tx tx, WriteOp.InTransaction<T> op) throws SQLException {
        op.succeed(op.work.apply(tx));
    }

    private void flush() throws SQLException {
        if (appends.isEmpty() && moves.isEmpty()) {
            return;
        }
        // Take the version (and with it the counter's row lock) before touching any other row.
        long version = tx.version();
        if (!appends.isEmpty()) {
            applyAppends(version);
        }
        if (!moves.isEmpty()) {
            applyMoves(version);
        }
        appends.clear();
        moves.clear();
    }

    // ---- appends ------------------------------------------------------------------------------------

    private record Key(String conversationId, String deviceId, String clientMsgId) {
        static Key of(NewEntry e) {
            return e.clientMsgId() == null || e.senderDeviceId() == null ? null
                    : new Key(e.conversationId(), e.senderDeviceId(), e.clientMsgId());
        }
    }

    private void applyAppends(long version) throws SQLException {
        Map<Key, Message> stored = tx.lookUpFirst() ? lookUpStored() : Map.of();
        Map<Key, WriteOp.Append> inBatch = new HashMap<>();
        Map<String, List<WriteOp.Append>> byConversation = new LinkedHashMap<>();
        for (WriteOp.Append op : appends) {
            Key key = Key.of(op.entry);
            if (key != null && stored.containsKey(key)) {
                op.succeed(new Appended(stored.get(key), true));
            } else if (key != null && inBatch.containsKey(key)) {
                op.duplicateOf = inBatch.get(key);
            } else {
                if (key != null) {
                    inBatch.put(key, op);
                }
                byConversation.computeIfAbsent(op.entry.conversationId(), k -> new ArrayList<>()).add(op);
            }
        }
        List<WriteOp.Append> fresh = reserveSeqs(byConversation, version);
        insert(fresh);
        for (WriteOp.Append op : fresh) {
            NewEntry e = op.entry;
            if (e.kind() == EntryKind.DELETE && e.target() != null) {
                erase(e.conversationId(), e.target());
            }
            if (e.kind() == EntryKind.SYSTEM) {
                applySystem(op, version);
            }
            op.succeed(new Appended(e.toMessage(op.seq), false));
        }
        for (WriteOp.Append op : appends) {
            if (op.duplicateOf != null) {
                WriteOp.Append first = op.duplicateOf;
                if (first.seq > 0) {
                    op.succeed(new Appended(first.entry.toMessage(first.seq), true));
                } else {
                    op.reject(unknownConversation(op.entry.conversationId()));
                }
            }
        }
    }

    private Map<Key, Message> lookUpStored() throws SQLException {
        List<Key> keys = new ArrayList<>();
        for (WriteOp.Append op : appends) {
            Key key = Key.of(op.entry);
            if (key != null) {
                keys.add(key);
            }
        }
        Map<Key, Message> stored = new HashMap<>();
        for (int from = 0; from < keys.size(); from += LOOKUP_CHUNK) {
            List<Key> chunk = keys.subList(from, Math.min(keys.size(), from + LOOKUP_CHUNK));
            // ORs of the unique key: PostgreSQL probes the index for each even without statistics.
            StringBuilder sql = new StringBuilder("SELECT ").append(EntryRows.COLUMNS).append(" FROM entries WHERE ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : " OR ")
                        .append("(conversation_id = ? AND sender_device_id = ? AND client_msg_id = ?)");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int p = 1;
                for (Key key : chunk) {
                    ps.setString(p++, key.conversationId());
                    ps.setString(p++, key.deviceId());
                    ps.setString(p++, key.clientMsgId());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Message m = EntryRows.read(rs);
                        stored.put(new Key(m.conversationId(), m.senderDeviceId(), m.clientMsgId()), m);
                    }
                }
            }
        }
        return stored;
    }

    /**
     * Reserves each conversation's seqs once for all of its new entries ({@link LastSeqs}). Appends to
     * unknown conversations fail alone.
     */
    private List<WriteOp.Append> reserveSeqs(Map<String, List<WriteOp.Append>> byConversation, long version)
            throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        byConversation.forEach((id, ops) -> counts.put(id, ops.size()));
        Map<String, Long> lastSeqs = tx.lastSeqs().reserve(tx, counts, version);
        List<WriteOp.Append> fresh = new ArrayList<>();
        for (Map.Entry<String, List<WriteOp.Append>> group : byConversation.entrySet()) {
            List<WriteOp.Append> ops = group.getValue();
            Long last = lastSeqs.get(group.getKey());
            if (last == null) {
                for (WriteOp.Append op : ops) {
                    op.reject(unknownConversation(group.getKey()));
                }
                continue;
            }
            long seq = last - ops.size();
            for (WriteOp.Append op : ops) {
                op.seq = ++seq;
                fresh.add(op);
            }
        }
        return fresh;
    }

    /**
     * Inserts through kept multi-row statements of a few fixed sizes (so each shape is prepared once per
     * connection): 300 rows go as 256 + 16 + 16 + 4 + 4 + 4. The insert skips rows whose idempotency key is
     * stored already; fewer rows than bound means a retried append.
     */
    private void insert(List<WriteOp.Append> fresh) throws SQLException {
        int from = 0;
        while (from < fresh.size()) {
            int rows = chunkFor(fresh.size() - from);
            List<WriteOp.Append> chunk = fresh.subList(from, from + rows);
            PreparedStatement ps = tx.prepare(EntryRows.insert(rows));
            int offset = 0;
            for (WriteOp.Append op : chunk) {
                EntryRows.bind(ps, offset, op.entry, op.seq);
                offset += EntryRows.PARAMETERS;
            }
            int stored = ps.executeUpdate();
            if (stored < rows) {
                if (tx.lookUpFirst()) {
                    throw new SQLException("an idempotency key was stored by someone else during the batch");
                }
                throw new StoredDuplicate();
            }
            from += rows;
        }
    }

    /** The largest statement size that fits in {@code left} rows. */
    static int chunkFor(int left) {
        for (int size : INSERT_SIZES) {
            if (size <= left) {
                return size;
            }
        }
        return 1;
    }

    /** Some append of the batch was stored before: redo the batch with {@link Tx#lookUpFirst()}. */
    static final class StoredDuplicate extends RuntimeException {
        StoredDuplicate() {
            super("an append of the batch is already stored", null, false, false);
        }
    }

    /** A delete: the target and every edit of it lose their bodies; the target is flagged deleted. */
    private void erase(String conversationId, long target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE entries SET body = NULL, deleted = ? WHERE conversation_id = ? AND seq = ?")) {
            ps.setBoolean(1, true);
            ps.setString(2, conversationId);
            ps.setLong(3, target);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE entries SET body = NULL"
                + " WHERE conversation_id = ? AND target = ? AND kind = 'edit' AND body IS NOT NULL")) {
            ps.setString(1, conversationId);
            ps.setLong(2, target);
            ps.executeUpdate();
        }
    }

    private void applySystem(WriteOp.Append op, long version) throws SQLException {
        NewEntry e = op.entry;
        if (e.membership() != null) {
            for (String userId : e.membership().added()) {
                addMember(e.conversationId(), userId, op.seq, version);
            }
            for (String userId : e.membership().removed()) {
                removeMember(e.conversationId(), userId, version);
            }
        }
        if (e.system() != null && e.system().action() == SystemAction.RENAMED
                && e.system().title() != null) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE conversations SET title = ? WHERE id = ?")) {
                ps.setString(1, e.system().title());
                ps.setString(2, e.conversationId());
                ps.executeUpdate();
            }
        }
        if (e.system() != null && e.system().roles() != null) {
            for (var role : e.system().roles().entrySet()) {
                if (GroupRoles.valid(role.getValue())) {
                    setRole(e.conversationId(), role.getKey(), role.getValue(), version);
                }
            }
        }
        keepAnOwner(e.conversationId(), version);
    }

    private void setRole(String conversationId, String userId, String role, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE members SET role = ?, updated_version = ?"
                + " WHERE conversation_id = ? AND user_id = ?")) {
            ps.setString(1, role);
            ps.setLong(2, version);
            ps.setString(3, conversationId);
            ps.setString(4, userId);
            ps.executeUpdate();
        }
    }

    /**
     * A group with members always has an owner: when the last one went (a leave raced another, or an MLS commit
     * removed them), the longest-standing admin, else member, becomes owner in the same transaction.
     */
    private void keepAnOwner(String conversationId, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE members SET role = 'owner', updated_version = ?"
                + " WHERE conversation_id = ? AND user_id = (SELECT m.user_id FROM members m"
                + " JOIN conversations k ON k.id = m.conversation_id"
                + " WHERE m.conversation_id = ? AND k.direct_key IS NULL AND NOT EXISTS (SELECT 1 FROM members o"
                + " WHERE o.conversation_id = m.conversation_id AND o.role = 'owner')"
                + " ORDER BY CASE WHEN m.role = 'admin' THEN 0 ELSE 1 END, m.ordinal LIMIT 1)")) {
            ps.setLong(1, version);
            ps.setString(2, conversationId);
            ps.setString(3, conversationId);
            ps.executeUpdate();
        }
    }

    /** A member added at {@code seq} starts with everything before it read: history is not unread. */
    private void addMember(String conversationId, String userId, long seq, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO members (conversation_id, user_id, role,"
                + " ordinal, delivered_seq, read_seq, joined_seq, updated_version)"
                + " SELECT ?, ?, 'member', COALESCE(MAX(ordinal), -1) + 1, ?, ?, ?, ? FROM members"
                + " WHERE conversation_id = ? ON CONFLICT (conversation_id, user_id) DO NOTHING")) {
            ps.setString(1, conversationId);
            ps.setString(2, userId);
            ps.setLong(3, seq - 1);
            ps.setLong(4, seq - 1);
            ps.setLong(5, seq);
            ps.setLong(6, version);
            ps.setString(7, conversationId);
            ps.executeUpdate();
        }
    }

    private void removeMember(String conversationId, String userId, long version) throws SQLException {
        int removed;
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM members WHERE conversation_id = ? AND user_id = ?")) {
            ps.setString(1, conversationId);
            ps.setString(2, userId);
            removed = ps.executeUpdate();
        }
        if (removed > 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO member_removals (conversation_id, user_id,"
                    + " version) VALUES (?, ?, ?) ON CONFLICT (conversation_id, user_id)"
                    + " DO UPDATE SET version = excluded.version")) {
                ps.setString(1, conversationId);
                ps.setString(2, userId);
                ps.setLong(3, version);
                ps.executeUpdate();
            }
        }
    }

    private static UnknownConversationException unknownConversation(String conversationId) {
        return new UnknownConversationException(conversationId);
    }

    // ---- watermarks ---------------------------------------------------------------------------------

    private record Member(String conversationId, String userId) {
    }

    private static final class Marks {
        long delivered;
        long read;
        final long lastSeq;
        boolean dirty;

        Marks(long delivered, long read, long lastSeq) {
            this.delivered = delivered;
            this.read = read;
            this.lastSeq = lastSeq;
        }
    }

    /** Moves run after the batch's appends, so they are capped at the {@code lastSeq} being committed. */
    private void applyMoves(long version) throws SQLException {
        Map<Member, Optional<Marks>> current = new HashMap<>();
        for (WriteOp.MoveWatermarks op : moves) {
            Member member = new Member(op.conversationId, op.userId);
            Optional<Marks> found = current.get(member);
            if (found == null) {
                found = load(member);
                current.put(member, found);
            }
            if (found.isEmpty()) {
                op.succeed(Optional.empty());
                continue;
            }
            Marks m = found.get();
            long read = Math.max(m.read, Math.min(op.readSeq, m.lastSeq));
            long delivered = Math.max(Math.max(m.delivered, Math.min(op.deliveredSeq, m.lastSeq)), read);
            if (read == m.read && delivered == m.delivered) {
                op.succeed(Optional.empty());
                continue;
            }
            m.read = read;
            m.delivered = delivered;
            m.dirty = true;
            op.succeed(Optional.of(new Watermarks(op.conversationId, op.userId, delivered, read)));
        }
        Set<String> touched = storeMarks(current, version);
        if (touched.isEmpty()) {
            return;
        }
        // Every member's summary carries everyone's receipts, so the conversation itself changed too.
        PreparedStatement ps = tx.prepare("UPDATE conversations SET updated_version = ? WHERE id = ?");
        for (String conversationId : touched) {
            ps.setLong(1, version);
            ps.setString(2, conversationId);
            ps.addBatch();
        }
        ps.executeBatch();
    }

    /** Writes the moved watermarks; returns the conversations touched. */
    private Set<String> storeMarks(Map<Member, Optional<Marks>> current, long version) throws SQLException {
        Set<String> touched = new LinkedHashSet<>();
        PreparedStatement ps = tx.prepare("UPDATE members SET delivered_seq = ?, read_seq = ?,"
                + " updated_version = ? WHERE conversation_id = ? AND user_id = ?");
        for (Map.Entry<Member, Optional<Marks>> e : current.entrySet()) {
            Marks m = e.getValue().orElse(null);
            if (m == null || !m.dirty) {
                continue;
            }
            ps.setLong(1, m.delivered);
            ps.setLong(2, m.read);
            ps.setLong(3, version);
            ps.setString(4, e.getKey().conversationId());
            ps.setString(5, e.getKey().userId());
            ps.addBatch();
            touched.add(e.getKey().conversationId());
        }
        if (!touched.isEmpty()) {
            ps.executeBatch();
        }
        return touched;
    }

    private Optional<Marks> load(Member member) throws SQLException {
        PreparedStatement ps = tx.prepare("SELECT m.delivered_seq, m.read_seq, c.last_seq"
                + " FROM members m JOIN conversations c ON c.id = m.conversation_id"
                + " WHERE m.conversation_id = ? AND m.user_id = ?");
        ps.setString(1, member.conversationId());
        ps.setString(2, member.userId());
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(new Marks(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                    : Optional.empty();
        }
    }
}
