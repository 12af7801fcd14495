package dev.parley.server.store.jdbc;

import dev.parley.core.port.PushQueue;
import dev.parley.core.push.QueuedPush;
import dev.parley.protocol.PushPayload;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable push queue in the node's database. Enqueueing folds into a waiting push of the same
 * subscription and conversation ({@code state = 0}); a claim moves pushes to {@code state = 1} with
 * {@code due_at_ms} set to the end of the lease, so a node that dies mid-delivery hands them back when the
 * lease ends. On PostgreSQL claims lock with {@code SKIP LOCKED}, so nodes claiming at once take different
 * pushes. A claim first looks on the read pool, so an idle queue costs no write transaction.
 */
public final class JdbcPushQueue implements PushQueue {
    private static final int WAITING = 0;
    private static final int CLAIMED = 1;

    private final Database db;

    public JdbcPushQueue(Database db) {
        this.db = db;
    }

    @Override
    public void enqueue(List<QueuedPush> pushes, long dueAtMs) {
        if (pushes.isEmpty()) {
            return;
        }
        db.writeAndWait(new WriteOp.InTransaction<>("enqueue pushes n=" + pushes.size(), tx -> {
            Connection c = tx.connection();
            try (PreparedStatement fold = c.prepareStatement("""
                    UPDATE push_queue SET seq = ?, sender_id = ?, sender_name = ?, title = ?, preview = ?,
                    count = count + ? WHERE subscription_id = ? AND conversation_id = ? AND state = ?""");
                 PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO push_queue (push_id, subscription_id, conversation_id, seq, sender_id, sender_name,
                    title, preview, count, state, attempts, due_at_ms, decided_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""")) {
                for (QueuedPush p : pushes) {
                    PushPayload m = p.payload();
                    fold.setLong(1, m.seq());
                    fold.setString(2, m.senderId());
                    fold.setString(3, m.senderName());
                    fold.setString(4, m.title());
                    fold.setString(5, m.preview());
                    fold.setInt(6, m.count());
                    fold.setString(7, p.subscription().subscriptionId());
                    fold.setString(8, m.conversationId());
                    fold.setInt(9, WAITING);
                    if (fold.executeUpdate() > 0) {
                        continue;
                    }
                    insert.setString(1, p.pushId());
                    insert.setString(2, p.subscription().subscriptionId());
                    insert.setString(3, m.conversationId());
                    insert.setLong(4, m.seq());
                    insert.setString(5, m.senderId());
                    insert.setString(6, m.senderName());
                    insert.setString(7, m.title());
                    insert.setString(8, m.preview());
                    insert.setInt(9, m.count());
                    insert.setInt(10, WAITING);
                    insert.setLong(11, dueAtMs);
                    insert.setLong(12, p.firstDecidedAtMs());
                    insert.executeUpdate();
                }
            }
            return Boolean.TRUE;
        }));
    }

    @Override
    public List<QueuedPush> claimDue(long nowMs, int limit, long leaseMs) {
        boolean any = db.read("pushes due", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM push_queue WHERE due_at_ms <= ? LIMIT 1")) {
                ps.setLong(1, nowMs);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
        if (!any) {
            return List.of();
        }
        String lock = db.lockRows().isEmpty() ? "" : db.lockRows() + " OF q SKIP LOCKED";
        return db.writeAndWait(new WriteOp.InTransaction<>("claim pushes", tx -> {
            Connection c = tx.connection();
            List<QueuedPush> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT q.push_id, q.conversation_id, q.seq, q.sender_id,"
                    + " q.sender_name, q.title, q.preview, q.count, q.attempts, q.decided_at_ms, "
                    + JdbcPushStore.columns("s") + " FROM push_queue q JOIN push_subscriptions s"
                    + " ON s.subscription_id = q.subscription_id WHERE q.due_at_ms <= ? ORDER BY q.due_at_ms LIMIT ?"
                    + lock)) {
                ps.setLong(1, nowMs);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        PushPayload payload = new PushPayload(rs.getString(2), rs.getLong(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8));
                        out.add(new QueuedPush(rs.getString(1), JdbcPushStore.subscription(rs, 11), payload,
                                rs.getInt(9), rs.getLong(10)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE push_queue SET state = ?, due_at_ms = ? WHERE push_id = ?")) {
                for (QueuedPush p : out) {
                    ps.setInt(1, CLAIMED);
                    ps.setLong(2, nowMs + leaseMs);
                    ps.setString(3, p.pushId());
                    ps.addBatch();
                }
                if (!out.isEmpty()) {
                    ps.executeBatch();
                }
            }
            orphans(c);
            return out;
        }));
    }

    /** Pushes whose subscription was deleted meanwhile never join in a claim: drop them. */
    private static void orphans(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_queue WHERE NOT EXISTS (SELECT 1 FROM"
                + " push_subscriptions s WHERE s.subscription_id = push_queue.subscription_id)")) {
            ps.executeUpdate();
        }
    }

    @Override
    public void remove(String pushId) {
        db.writeAndWait(new WriteOp.InTransaction<>("remove push " + pushId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("DELETE FROM push_queue WHERE push_id = ?")) {
                ps.setString(1, pushId);
                ps.executeUpdate();
            }
            return Boolean.TRUE;
        }));
    }

    @Override
    public void retryAt(String pushId, long dueAtMs) {
        db.writeAndWait(new WriteOp.InTransaction<>("retry push " + pushId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE push_queue SET due_at_ms = ?, attempts = attempts + 1 WHERE push_id = ?")) {
                ps.setLong(1, dueAtMs);
                ps.setString(2, pushId);
                ps.executeUpdate();
            }
            return Boolean.TRUE;
        }));
    }

    @Override
    public int size() {
        return db.read("push queue size", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM push_queue");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
