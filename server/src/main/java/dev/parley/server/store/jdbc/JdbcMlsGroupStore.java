package dev.parley.server.store.jdbc;

import dev.parley.core.Appended;
import dev.parley.core.NewEntry;
import dev.parley.core.mls.MlsCommit;
import dev.parley.core.mls.MlsGroupView;
import dev.parley.core.mls.MlsLeaf;
import dev.parley.core.port.EpochConflictException;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.core.port.UnknownConversationException;
import dev.parley.protocol.Message;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link MlsGroupStore} on SQL: the epoch is {@code conversations.mls_epoch}, the leaves are rows of
 * {@code mls_leaves}. An accepted Commit is one write of the group-committing writer: the epoch moves by a
 * compare-and-set ({@code ... WHERE mls_epoch = ?}) that holds the conversation's row lock until commit, so a
 * second Commit for the same epoch, on this node or another, matches no row once the first commits; then the
 * leaves change and the entries are appended by the writer's own append code, all in the same transaction.
 */
public final class JdbcMlsGroupStore implements MlsGroupStore {
    private final Database db;

    public JdbcMlsGroupStore(Database db) {
        this.db = db;
    }

    @Override
    public Optional<MlsGroupView> group(String conversationId) {
        return db.read("mls group of " + conversationId, c -> {
            long epoch;
            try (PreparedStatement ps = c.prepareStatement("SELECT mls_epoch FROM conversations WHERE id = ?")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    epoch = rs.getLong(1);
                }
            }
            List<MlsLeaf> leaves = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT leaf_index, user_id, device_id, signature_key"
                    + " FROM mls_leaves WHERE conversation_id = ? ORDER BY leaf_index")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        leaves.add(new MlsLeaf(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4)));
                    }
                }
            }
            return Optional.of(new MlsGroupView(epoch, leaves));
        });
    }

    @Override
    public Optional<Long> epoch(String conversationId) {
        return db.read("mls epoch of " + conversationId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT mls_epoch FROM conversations WHERE id = ?")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.<Long>empty();
                }
            }
        });
    }

    /** The write's outcome; an expected refusal is returned, not thrown, so the rest of the batch commits. */
    private record Outcome(List<Appended> appended, RuntimeException refusal) {
    }

    @Override
    public CompletableFuture<List<Appended>> appendCommit(MlsCommit commit) {
        NewEntry entry = commit.entry();
        return db.write(new WriteOp.InTransaction<>("mls commit conversation=" + entry.conversationId() + " epoch="
                + commit.epoch(), tx -> apply(tx, commit))).thenApply(outcome -> {
                    if (outcome.refusal() != null) {
                        throw outcome.refusal();
                    }
                    return outcome.appended();
                });
    }

    private static Outcome apply(Tx tx, MlsCommit commit) throws SQLException {
        NewEntry entry = commit.entry();
        Connection c = tx.connection();
        Optional<Message> stored = Queries.entries(c, "SELECT " + EntryRows.COLUMNS + " FROM entries"
                + " WHERE conversation_id = ? AND sender_device_id = ? AND client_msg_id = ?",
                entry.conversationId(), entry.senderDeviceId(), entry.clientMsgId()).stream().findFirst();
        if (stored.isPresent()) {
            return new Outcome(List.of(new Appended(stored.get(), true)), null);
        }
        tx.version(); // the version first, as every writer takes it (Tx)
        int moved;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE conversations SET mls_epoch = mls_epoch + 1 WHERE id = ? AND mls_epoch = ?")) {
            ps.setString(1, entry.conversationId());
            ps.setLong(2, commit.epoch());
            moved = ps.executeUpdate();
        }
        if (moved == 0) {
            boolean exists = Queries.conversation(c, entry.conversationId()).isPresent();
            return new Outcome(null, exists ? new EpochConflictException(entry.conversationId(), commit.epoch())
                    : new UnknownConversationException(entry.conversationId()));
        }
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM mls_leaves WHERE conversation_id = ? AND leaf_index = ?")) {
            for (long index : commit.cleared()) {
                ps.setString(1, entry.conversationId());
                ps.setLong(2, index);
                ps.addBatch();
            }
            for (MlsLeaf leaf : commit.set()) {
                ps.setString(1, entry.conversationId());
                ps.setLong(2, leaf.index());
                ps.addBatch();
            }
            if (!commit.cleared().isEmpty() || !commit.set().isEmpty()) {
                ps.executeBatch();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO mls_leaves (conversation_id, leaf_index, user_id,"
                + " device_id, signature_key) VALUES (?, ?, ?, ?, ?)")) {
            for (MlsLeaf leaf : commit.set()) {
                ps.setString(1, entry.conversationId());
                ps.setLong(2, leaf.index());
                ps.setString(3, leaf.userId());
                ps.setString(4, leaf.deviceId());
                ps.setBytes(5, leaf.signatureKey());
                ps.addBatch();
            }
            if (!commit.set().isEmpty()) {
                ps.executeBatch();
            }
        }
        // The entries go through the writer's own append (seq, idempotency, membership of system entries).
        List<WriteOp.Append> appends = new ArrayList<>();
        appends.add(new WriteOp.Append(entry));
        commit.system().forEach(e -> appends.add(new WriteOp.Append(e)));
        WriteBatch.apply(tx, List.<WriteOp<?>>copyOf(appends));
        List<Appended> appended = new ArrayList<>();
        for (WriteOp.Append op : appends) {
            if (!op.succeeded()) {
                throw new SQLException("an entry of the commit was not appended: " + op);
            }
            appended.add(op.result());
        }
        return new Outcome(List.copyOf(appended), null);
    }
}
