package dev.parley.server.store.jdbc;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.port.AccountStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The {@link AccountStore} on SQL, shared by the engine adapters. Writes go through the database's single
 * writer (SQLite allows one writer at a time); reads use the pool. Closing it releases nothing: the owning
 * {@code Stores} closes the database.
 */
public final class JdbcAccountStore implements AccountStore {

    private static final String ACCOUNT_COLUMNS =
            "user_id, handle, handle_key, display_name, password_hash, created_at_ms";

    private static final String DEVICE_COLUMNS =
            "device_id, user_id, name, token_hash, created_at_ms, last_used_at_ms";
    /** Ids per {@code IN (...)} query: well under every engine's bound-parameter limit. */
    private static final int IN_CHUNK = 500;

    private final Database db;

    public JdbcAccountStore(Database db) {
        this.db = db;
    }

    @Override
    public boolean createAccount(Account account) {
        return db.writeAndWait(new WriteOp.InTransaction<>("create account " + account.userId(), tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO users (" + ACCOUNT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (handle_key) DO NOTHING")) {
                ps.setString(1, account.userId());
                ps.setString(2, account.handle());
                ps.setString(3, account.handleKey());
                EntryRows.setString(ps, 4, account.displayName());
                ps.setString(5, account.passwordHash());
                ps.setLong(6, account.createdAtMs());
                return ps.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public Optional<Account> findAccountById(String userId) {
        return findAccount("user_id", userId);
    }

    @Override
    public Optional<Account> findAccountByHandle(String handleKey) {
        return findAccount("handle_key", handleKey);
    }

    private Optional<Account> findAccount(String column, String key) {
        return db.read("find account", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + ACCOUNT_COLUMNS + " FROM users WHERE " + column + " = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Account(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getLong(6)));
                }
            }
        });
    }

    @Override
    public void createDevice(Device device) {
        db.writeAndWait(new WriteOp.InTransaction<>("create device " + device.deviceId() + " of " + device.userId(),
                tx -> {
                    try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO devices (device_id,"
                            + " user_id, name, token_hash, revoked, created_at_ms, last_used_at_ms)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                        ps.setString(1, device.deviceId());
                        ps.setString(2, device.userId());
                        EntryRows.setString(ps, 3, device.name());
                        ps.setBytes(4, device.tokenHash());
                        ps.setBoolean(5, false);
                        ps.setLong(6, device.createdAtMs());
                        ps.setLong(7, device.lastUsedAtMs());
                        ps.executeUpdate();
                        return null;
                    }
                }));
    }

    @Override
    public Optional<Device> findDeviceByTokenHash(byte[] tokenHash) {
        return db.read("find device by token", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                    + " FROM devices WHERE token_hash = ? AND revoked = ?")) {
                ps.setBytes(1, tokenHash);
                ps.setBoolean(2, false);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(device(rs)) : Optional.<Device>empty();
                }
            }
        });
    }

    @Override
    public List<Device> findActiveDevices(Collection<String> deviceIds) {
        List<String> ids = deviceIds.stream().distinct().toList();
        List<Device> out = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += IN_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
            out.addAll(db.read("find active devices", c -> {
                String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                        + " FROM devices WHERE revoked = ? AND device_id IN (" + marks + ")")) {
                    ps.setBoolean(1, false);
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 2, chunk.get(i));
                    }
                    List<Device> found = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            found.add(device(rs));
                        }
                    }
                    return found;
                }
            }));
        }
        return out;
    }

    @Override
    public boolean touchDevice(String deviceId, long usedAtMs) {
        return db.writeAndWait(new WriteOp.InTransaction<>("touch device " + deviceId, tx -> {
            // CASE rather than GREATEST/MAX: the same statement on both engines, and the row still counts
            // as matched (active) when the stored time is already later.
            try (PreparedStatement ps = tx.connection().prepareStatement("UPDATE devices SET last_used_at_ms ="
                    + " CASE WHEN last_used_at_ms < ? THEN ? ELSE last_used_at_ms END"
                    + " WHERE device_id = ? AND revoked = ?")) {
                ps.setLong(1, usedAtMs);
                ps.setLong(2, usedAtMs);
                ps.setString(3, deviceId);
                ps.setBoolean(4, false);
                return ps.executeUpdate() == 1;
            }
        }));
    }

    private static Device device(ResultSet rs) throws SQLException {
        return new Device(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4), rs.getLong(5),
                rs.getLong(6));
    }

    @Override
    public boolean revokeDevice(String deviceId) {
        return db.writeAndWait(new WriteOp.InTransaction<>("revoke device " + deviceId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE devices SET revoked = ? WHERE device_id = ? AND revoked = ?")) {
                ps.setBoolean(1, true);
                ps.setString(2, deviceId);
                ps.setBoolean(3, false);
                return ps.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public List<Device> activeDevicesOf(String userId) {
        return db.read("devices of user", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                    + " FROM devices WHERE user_id = ? AND revoked = ? ORDER BY created_at_ms, device_id")) {
                ps.setString(1, userId);
                ps.setBoolean(2, false);
                List<Device> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(device(rs));
                    }
                }
                return found;
            }
        });
    }

    @Override
    public boolean updateDisplayName(String userId, String displayName) {
        return updateUser("set display name of " + userId, "display_name = ?", userId, displayName);
    }

    @Override
    public boolean updatePasswordHash(String userId, String passwordHash) {
        return updateUser("set password of " + userId, "password_hash = ?", userId, passwordHash);
    }

    private boolean updateUser(String what, String assignment, String userId, String value) {
        return db.writeAndWait(new WriteOp.InTransaction<>(what, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE users SET " + assignment + " WHERE user_id = ?")) {
                EntryRows.setString(ps, 1, value);
                ps.setString(2, userId);
                return ps.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public boolean eraseAccount(String userId, String tombstoneHandle) {
        return db.writeAndWait(new WriteOp.InTransaction<>("erase account " + userId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE devices SET revoked = ? WHERE user_id = ?")) {
                ps.setBoolean(1, true);
                ps.setString(2, userId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = tx.connection().prepareStatement("UPDATE users SET handle = ?,"
                    + " handle_key = ?, display_name = NULL, password_hash = ? WHERE user_id = ?")) {
                ps.setString(1, tombstoneHandle);
                ps.setString(2, tombstoneHandle.toLowerCase(java.util.Locale.ROOT));
                ps.setString(3, ERASED_PASSWORD_HASH);
                ps.setString(4, userId);
                return ps.executeUpdate() == 1;
            }
        }));
    }

    /** Not the encoding of any hash: no password verifies against it. */
    public static final String ERASED_PASSWORD_HASH = "!erased";

    @Override
    public void close() {
        // The owning Stores closes the database.
    }
}
