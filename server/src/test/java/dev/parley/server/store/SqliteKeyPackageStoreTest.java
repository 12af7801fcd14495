package dev.parley.server.store;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.contract.KeyPackageStoreContract;
import dev.parley.core.port.KeyPackageStore;
import dev.parley.server.store.jdbc.JdbcKeyPackageStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteKeyPackageStoreTest extends KeyPackageStoreContract {
    @TempDir
    Path dir;
    Stores stores;
    KeyPackageStore store;

    @Override
    protected KeyPackageStore store() {
        if (store == null) {
            stores = Stores.sqlite(dir.resolve("parley.db"), StoreOptions.defaults());
            store = new JdbcKeyPackageStore(stores.database(), Clock.systemUTC());
        }
        return store;
    }

    @Override
    protected void activeDevice(String userId, String deviceId) {
        activeDevice(stores, userId, deviceId);
    }

    @Override
    protected void revoke(String deviceId) {
        stores.accounts().revokeDevice(deviceId);
    }

    static void activeDevice(Stores stores, String userId, String deviceId) {
        stores.accounts().createAccount(new Account(userId, userId, userId.toLowerCase(Locale.ROOT), userId, "x", 1));
        stores.accounts().createDevice(new Device(deviceId, userId, "test", (deviceId + "-token").getBytes(), 1));
    }

    @AfterEach
    void close() {
        if (stores != null) {
            stores.close();
        }
    }
}
