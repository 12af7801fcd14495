package dev.parley.server.store.jdbc;

import dev.parley.core.port.PushStore;
import dev.parley.core.push.PushSubscription;
import dev.parley.core.push.PushType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Push subscriptions, mutes and installation keys in the node's database (SQLite or PostgreSQL, same SQL).
 * Writes go through the group-committing writer; {@code ON CONFLICT} makes the idempotent ones safe when
 * several nodes race.
 */
public final class JdbcPushStore implements PushStore {
    private static final String COLUMNS =
            "subscription_id, user_id, device_id, type, address, p256dh, auth, created_at_ms";
    private static final int IN_CHUNK = 500;

    private final Database db;
    private final Clock clock;

    public JdbcPushStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public PushSubscription addSubscription(PushSubscription s) {
        return db.writeAndWait(new WriteOp.InTransaction<>("add push subscription device=" + s.deviceId(), tx -> {
            Connection c = tx.connection();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_subscriptions (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, type, address)"
                    + " DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth")) {
                ps.setString(1, s.subscriptionId());
                ps.setString(2, s.userId());
                ps.setString(3, s.deviceId());
                ps.setString(4, s.type().wire());
                ps.setString(5, s.address());
                ps.setString(6, s.p256dh());
                ps.setString(7, s.auth());
                ps.setLong(8, s.createdAtMs());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM push_subscriptions WHERE device_id = ? AND type = ? AND address = ?")) {
                ps.setString(1, s.deviceId());
                ps.setString(2, s.type().wire());
                ps.setString(3, s.address());
                List<PushSubscription> found = rows(ps);
                return found.getFirst();
            }
        }));
    }

    @Override
    public List<PushSubscription> subscriptionsOfDevice(String deviceId) {
        return db.read("push subscriptions of a device", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM push_subscriptions WHERE device_id = ? ORDER BY created_at_ms, subscription_id")) {
                ps.setString(1, deviceId);
                return rows(ps);
            }
        });
    }

    @Override
    public List<PushSubscription> subscriptionsOfUsers(Collection<String> userIds) {
        List<String> users = List.copyOf(new HashSet<>(userIds));
        List<PushSubscription> out = new ArrayList<>();
        for (int i = 0; i < users.size(); i += IN_CHUNK) {
            List<String> chunk = users.subList(i, Math.min(users.size(), i + IN_CHUNK));
            out.addAll(db.read("push subscriptions of users", c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                        + " FROM push_subscriptions WHERE user_id IN (" + marks(chunk.size()) + ")")) {
                    for (int k = 0; k < chunk.size(); k++) {
                        ps.setString(k + 1, chunk.get(k));
                    }
                    return rows(ps);
                }
            }));
        }
        return out;
    }

    @Override
    public Map<String, Set<String>> subscribedDevices() {
        return db.read("devices with push subscriptions", c -> {
            Map<String, Set<String>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT user_id, device_id FROM push_subscriptions");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), u -> new HashSet<>()).add(rs.getString(2));
                }
            }
            return out;
        });
    }

    @Override
    public boolean deleteSubscription(String deviceId, String subscriptionId) {
        return db.writeAndWait(new WriteOp.InTransaction<>("delete push subscription device=" + deviceId, tx -> {
            Connection c = tx.connection();
            int n;
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM push_subscriptions WHERE subscription_id = ? AND device_id = ?")) {
                ps.setString(1, subscriptionId);
                ps.setString(2, deviceId);
                n = ps.executeUpdate();
            }
            if (n > 0) {
                deleteQueued(c, subscriptionId);
            }
            return n > 0;
        }));
    }

    @Override
    public void deleteSubscription(String subscriptionId) {
        db.writeAndWait(new WriteOp.InTransaction<>("delete push subscription " + subscriptionId, tx -> {
            Connection c = tx.connection();
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM push_subscriptions WHERE subscription_id = ?")) {
                ps.setString(1, subscriptionId);
                ps.executeUpdate();
            }
            deleteQueued(c, subscriptionId);
            return Boolean.TRUE;
        }));
    }

    private static void deleteQueued(Connection c, String subscriptionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_queue WHERE subscription_id = ?")) {
            ps.setString(1, subscriptionId);
            ps.executeUpdate();
        }
    }

    @Override
    public void setMuted(String conversationId, String userId, boolean muted) {
        db.writeAndWait(new WriteOp.InTransaction<>("set muted conversation=" + conversationId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("""
                    INSERT INTO conversation_settings (conversation_id, user_id, muted) VALUES (?, ?, ?)
                    ON CONFLICT (conversation_id, user_id) DO UPDATE SET muted = excluded.muted""")) {
                ps.setString(1, conversationId);
                ps.setString(2, userId);
                ps.setBoolean(3, muted);
                ps.executeUpdate();
            }
            return Boolean.TRUE;
        }));
    }

    @Override
    public boolean isMuted(String conversationId, String userId) {
        return db.read("is muted", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT muted FROM conversation_settings WHERE conversation_id = ? AND user_id = ?")) {
                ps.setString(1, conversationId);
                ps.setString(2, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
    }

    @Override
    public Set<String> mutedUsers(String conversationId) {
        return db.read("muted users", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT user_id FROM conversation_settings WHERE conversation_id = ? AND muted = ?")) {
                ps.setString(1, conversationId);
                ps.setBoolean(2, true);
                Set<String> out = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public byte[] installationKey(String name, byte[] candidate) {
        return db.writeAndWait(new WriteOp.InTransaction<>("installation key " + name, tx -> {
            Connection c = tx.connection();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO installation_keys (name, value, created_at_ms)"
                    + " VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setBytes(2, candidate);
                ps.setLong(3, clock.millis());
                ps.executeUpdate();
            }
            return key(c, name).orElseThrow();
        }));
    }

    @Override
    public Optional<byte[]> findInstallationKey(String name) {
        return db.read("installation key", c -> key(c, name));
    }

    private static Optional<byte[]> key(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM installation_keys WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    static List<PushSubscription> rows(PreparedStatement ps) throws SQLException {
        List<PushSubscription> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(subscription(rs, 1));
            }
        }
        return out;
    }

    /** A subscription read from {@link #COLUMNS} starting at column {@code from}. */
    static PushSubscription subscription(ResultSet rs, int from) throws SQLException {
        return new PushSubscription(rs.getString(from), rs.getString(from + 1), rs.getString(from + 2),
                PushType.fromWire(rs.getString(from + 3)).orElseThrow(), rs.getString(from + 4),
                rs.getString(from + 5), rs.getString(from + 6), rs.getLong(from + 7));
    }

    static String columns(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
