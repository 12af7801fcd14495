package dev.parley.server.store.jdbc;

import dev.parley.core.port.KeyPackageStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The KeyPackage directory in the node's database. Uploads and claims are writes through the group-committing
 * writer; on PostgreSQL a claim locks the device's oldest rows ({@code FOR UPDATE}), so two nodes claiming at
 * once never hand out the same package, and the last-resort rule (never remove a device's last package) holds
 * under that lock.
 */
public final class JdbcKeyPackageStore implements KeyPackageStore {
    private final Database db;
    private final Clock clock;

    public JdbcKeyPackageStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public OptionalInt add(String userId, String deviceId, List<byte[]> packages, int maxHeld) {
        return db.writeAndWait(new WriteOp.InTransaction<>("add key packages device=" + deviceId, tx -> {
            Connection c = tx.connection();
            try (PreparedStatement lock = c.prepareStatement(
                    "SELECT device_id FROM devices WHERE device_id = ?" + db.lockRows())) {
                lock.setString(1, deviceId); // serialises uploads of one device across nodes
                lock.executeQuery().close();
            }
            int held = count(c, deviceId);
            if (held + packages.size() > maxHeld) {
                return OptionalInt.empty();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO key_packages (user_id, device_id, package, created_at_ms) VALUES (?, ?, ?, ?)")) {
                long now = clock.millis();
                for (byte[] p : packages) {
                    ps.setString(1, userId);
                    ps.setString(2, deviceId);
                    ps.setBytes(3, p);
                    ps.setLong(4, now);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return OptionalInt.of(held + packages.size());
        }));
    }

    @Override
    public List<Claimed> claim(Collection<String> userIds) {
        List<String> users = new ArrayList<>(new TreeSet<>(userIds)); // one order everywhere: no lock cycles
        return db.writeAndWait(new WriteOp.InTransaction<>("claim key packages users=" + users.size(), tx -> {
            Connection c = tx.connection();
            List<Claimed> out = new ArrayList<>();
            for (String userId : users) {
                for (String deviceId : activeDevicesWithPackages(c, userId)) {
                    claimOne(c, userId, deviceId, out);
                }
            }
            return out;
        }));
    }

    private List<String> activeDevicesWithPackages(Connection c, String userId) throws SQLException {
        List<String> devices = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT k.device_id FROM key_packages k JOIN devices d ON d.device_id = k.device_id
                WHERE k.user_id = ? AND d.revoked = ? ORDER BY k.device_id""")) {
            ps.setString(1, userId);
            ps.setBoolean(2, false);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    devices.add(rs.getString(1));
                }
            }
        }
        return devices;
    }

    private void claimOne(Connection c, String userId, String deviceId, List<Claimed> out) throws SQLException {
        long oldestId = -1;
        byte[] oldest = null;
        int seen = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, package FROM key_packages WHERE device_id = ? ORDER BY id LIMIT 2" + db.lockRows())) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (seen++ == 0) {
                        oldestId = rs.getLong(1);
                        oldest = rs.getBytes(2);
                    }
                }
            }
        }
        if (oldest == null) {
            return; // another node took the last one between the two reads: nothing to offer
        }
        if (seen > 1) {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM key_packages WHERE id = ?")) {
                del.setLong(1, oldestId);
                del.executeUpdate();
            }
        }
        out.add(new Claimed(userId, deviceId, oldest));
    }

    @Override
    public int count(String deviceId) {
        return db.read("count key packages", c -> count(c, deviceId));
    }

    private static int count(Connection c, String deviceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM key_packages WHERE device_id = ?")) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
