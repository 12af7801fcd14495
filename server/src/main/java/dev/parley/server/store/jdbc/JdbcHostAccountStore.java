package dev.parley.server.store.jdbc;

import dev.parley.core.Account;
import dev.parley.server.integration.HostAccountStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** External ids and the disabled flag, in the {@code users} table (columns of V8/V9 integration). */
public final class JdbcHostAccountStore implements HostAccountStore {
    private static final String COLUMNS = "user_id, handle, display_name, external_id, disabled, password_hash";

    private final Database db;

    public JdbcHostAccountStore(Database db) {
        this.db = db;
    }

    @Override
    public boolean createAccount(Account account, String externalId) {
        return db.writeAndWait(new WriteOp.InTransaction<>("create host account " + account.userId(), tx -> {
            // DO NOTHING on any unique key (handle_key or external_id): a failed statement would abort the batch.
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO users (user_id, handle,"
                    + " handle_key, display_name, password_hash, created_at_ms, external_id, disabled)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, account.userId());
                ps.setString(2, account.handle());
                ps.setString(3, account.handleKey());
                EntryRows.setString(ps, 4, account.displayName());
                ps.setString(5, account.passwordHash());
                ps.setLong(6, account.createdAtMs());
                EntryRows.setString(ps, 7, externalId);
                ps.setBoolean(8, false);
                return ps.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public Optional<HostUser> find(String userId) {
        return one("SELECT " + COLUMNS + " FROM users WHERE user_id = ?", userId);
    }

    @Override
    public Optional<HostUser> findByExternalId(String externalId) {
        return one("SELECT " + COLUMNS + " FROM users WHERE external_id = ?", externalId);
    }

    private Optional<HostUser> one(String sql, String key) {
        return db.read("find host user", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<HostUser>empty();
                }
            }
        });
    }

    private static HostUser read(ResultSet rs) throws SQLException {
        return new HostUser(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
                JdbcAccountStore.ERASED_PASSWORD_HASH.equals(rs.getString(6)));
    }

    @Override
    public boolean setDisabled(String userId, boolean disabled) {
        return db.writeAndWait(new WriteOp.InTransaction<>("set disabled user=" + userId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE users SET disabled = ? WHERE user_id = ?")) {
                ps.setBoolean(1, disabled);
                ps.setString(2, userId);
                return ps.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public void forgetExternalId(String userId) {
        db.writeAndWait(new WriteOp.InTransaction<>("forget external id user=" + userId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE users SET external_id = NULL WHERE user_id = ?")) {
                ps.setString(1, userId);
                return ps.executeUpdate();
            }
        }));
    }

    @Override
    public List<String> activeDeviceIds(String userId) {
        return db.read("active devices of user", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT device_id FROM devices WHERE user_id = ? AND revoked = ?")) {
                ps.setString(1, userId);
                ps.setBoolean(2, false);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }
}
