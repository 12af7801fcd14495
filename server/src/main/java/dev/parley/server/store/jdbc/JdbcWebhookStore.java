package dev.parley.server.store.jdbc;

import dev.parley.server.integration.WebhookStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Webhooks and their outbox in the node's database (V8 SQLite / V9 PostgreSQL). Outbox rows are inserted by
 * triggers on {@code entries}, {@code conversations} and {@code users}; this class only hands them out and
 * retires them. On PostgreSQL a claim locks the rows it picks with {@code FOR UPDATE SKIP LOCKED}, so nodes
 * claiming at once never pick the same row, and the lease it writes keeps them off it afterwards.
 */
public final class JdbcWebhookStore implements WebhookStore {
    private static final int MAX_ERROR_LENGTH = 200;

    private final Database db;
    private final boolean postgres;

    public JdbcWebhookStore(Database db) {
        this.db = db;
        this.postgres = "postgres".equals(db.engine());
    }

    @Override
    public void add(Webhook webhook) {
        db.writeAndWait(new WriteOp.InTransaction<>("add webhook " + webhook.webhookId(), tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO webhooks (webhook_id, url,"
                    + " events, secret, created_at_ms) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, webhook.webhookId());
                ps.setString(2, webhook.url());
                ps.setString(3, String.join(",", webhook.events()));
                ps.setString(4, webhook.secret());
                ps.setLong(5, webhook.createdAtMs());
                ps.executeUpdate();
            }
            return null;
        }));
    }

    @Override
    public List<Webhook> list() {
        return db.read("list webhooks", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT webhook_id, url, events, secret, created_at_ms"
                    + " FROM webhooks ORDER BY created_at_ms, webhook_id");
                 ResultSet rs = ps.executeQuery()) {
                List<Webhook> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Webhook(rs.getString(1), rs.getString(2), Arrays.asList(rs.getString(3).split(",")),
                            rs.getString(4), rs.getLong(5)));
                }
                return out;
            }
        });
    }

    @Override
    public boolean remove(String webhookId) {
        return db.writeAndWait(new WriteOp.InTransaction<>("remove webhook " + webhookId, tx -> {
            Connection c = tx.connection();
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM webhook_outbox WHERE webhook_id = ?")) {
                ps.setString(1, webhookId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM webhooks WHERE webhook_id = ?")) {
                ps.setString(1, webhookId);
                return ps.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public List<Delivery> claim(String owner, long nowMs, long leaseUntilMs, int max) {
        // A read first: an idle outbox (the usual case, and always without webhooks) costs the writer nothing.
        boolean anyDue = db.read("webhook outbox due", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM webhook_outbox WHERE due_at_ms <= ? AND lease_until_ms <= ? LIMIT 1")) {
                ps.setLong(1, nowMs);
                ps.setLong(2, nowMs);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
        if (!anyDue) {
            return List.of();
        }
        return db.writeAndWait(new WriteOp.InTransaction<>("claim webhook deliveries", tx -> {
            Connection c = tx.connection();
            List<Delivery> picked = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT o.id, o.webhook_id, w.url, w.secret, o.event_id, o.type, o.conversation_id, o.seq,
                           o.subject_id, o.created_at_ms, o.attempts
                    FROM webhook_outbox o JOIN webhooks w ON w.webhook_id = o.webhook_id
                    WHERE o.due_at_ms <= ? AND o.lease_until_ms <= ?
                      AND NOT EXISTS (SELECT 1 FROM webhook_outbox p WHERE p.webhook_id = o.webhook_id
                                      AND p.conversation_id = o.conversation_id AND p.id < o.id)
                    ORDER BY o.id LIMIT ?""" + (postgres ? " FOR UPDATE OF o SKIP LOCKED" : ""))) {
                ps.setLong(1, nowMs);
                ps.setLong(2, nowMs);
                ps.setInt(3, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        picked.add(new Delivery(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9),
                                rs.getLong(10), rs.getInt(11)));
                    }
                }
            }
            if (!picked.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE webhook_outbox SET lease_owner = ?, lease_until_ms = ? WHERE id = ?")) {
                    for (Delivery d : picked) {
                        ps.setString(1, owner);
                        ps.setLong(2, leaseUntilMs);
                        ps.setLong(3, d.id());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            return picked;
        }));
    }

    @Override
    public void delivered(long id, String owner) {
        delete(id, owner, "webhook delivered");
    }

    @Override
    public void drop(long id, String owner) {
        delete(id, owner, "webhook delivery dropped");
    }

    private void delete(long id, String owner, String what) {
        db.writeAndWait(new WriteOp.InTransaction<>(what + " id=" + id, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "DELETE FROM webhook_outbox WHERE id = ? AND lease_owner = ?")) {
                ps.setLong(1, id);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        }));
    }

    @Override
    public void retryLater(long id, String owner, long dueAtMs, String error) {
        String e = error == null ? null : error.substring(0, Math.min(MAX_ERROR_LENGTH, error.length()));
        db.writeAndWait(new WriteOp.InTransaction<>("webhook retry id=" + id, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("UPDATE webhook_outbox SET attempts ="
                    + " attempts + 1, due_at_ms = ?, lease_owner = NULL, lease_until_ms = 0, last_error = ?"
                    + " WHERE id = ? AND lease_owner = ?")) {
                ps.setLong(1, dueAtMs);
                EntryRows.setString(ps, 2, e);
                ps.setLong(3, id);
                ps.setString(4, owner);
                return ps.executeUpdate();
            }
        }));
    }

    @Override
    public void releaseAllLeases() {
        db.writeAndWait(new WriteOp.InTransaction<>("release webhook leases", tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE webhook_outbox SET lease_owner = NULL, lease_until_ms = 0 WHERE lease_owner IS NOT NULL")) {
                return ps.executeUpdate();
            }
        }));
    }

    @Override
    public long pending() {
        return db.read("count webhook outbox", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM webhook_outbox");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

}
