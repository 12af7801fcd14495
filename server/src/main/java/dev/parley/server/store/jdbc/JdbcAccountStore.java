package dev.parley.server.store.jdbc;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.port.AccountStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * The {@link AccountStore} on SQL, shared by the engine adapters. Writes go through the database's single
 * writer (SQLite allows one writer at a time); reads use the pool. Closing it releases nothing: the owning
 * {@code Stores} closes the database.
 */
public abstract class JdbcAccountStore implements AccountStore {

    private static final String ACCOUNT_COLUMNS =
            "user_id, handle, handle_key, display_name, password_hash, created_at_ms";

    private final Database db;

    protected JdbcAccountStore(Database db) {
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
                            + " user_id, name, token_hash, revoked, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
                        ps.setString(1, device.deviceId());
                        ps.setString(2, device.userId());
                        EntryRows.setString(ps, 3, device.name());
                        ps.setBytes(4, device.tokenHash());
                        ps.setBoolean(5, false);
                        ps.setLong(6, device.createdAtMs());
                        ps.executeUpdate();
                        return null;
                    }
                }));
    }

    @Override
    public Optional<Device> findDeviceByTokenHash(byte[] tokenHash) {
        return db.read("find device by token", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT device_id, user_id, name, token_hash,"
                    + " created_at_ms FROM devices WHERE token_hash = ? AND revoked = ?")) {
                ps.setBytes(1, tokenHash);
                ps.setBoolean(2, false);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Device(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getBytes(4), rs.getLong(5)));
                }
            }
        });
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
    public void close() {
        // The owning Stores closes the database.
    }
}
