package dev.parley.server.store.dynamo;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.contract.KeyPackageStoreContract;
import dev.parley.core.port.KeyPackageStore;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;

/** The KeyPackage directory contract on DynamoDB (dynalite), beside the DynamoDB account store. */
class DynamoKeyPackageStoreIT extends KeyPackageStoreContract {
    private DynamoStores stores;
    private KeyPackageStore store;

    @Override
    protected KeyPackageStore store() {
        if (store == null) {
            stores = Dynalite.freshStores();
            store = stores.keyPackages();
        }
        return store;
    }

    @Override
    protected void activeDevice(String userId, String deviceId) {
        store();
        stores.accounts().createAccount(new Account(userId, userId, userId.toLowerCase(Locale.ROOT), userId, "x", 1));
        stores.accounts().createDevice(new Device(deviceId, userId, "test",
                (deviceId + "-token").getBytes(StandardCharsets.UTF_8), 1));
    }

    @Override
    protected void revoke(String deviceId) {
        stores.accounts().revokeDevice(deviceId);
    }

    @AfterEach
    void close() {
        if (stores != null) {
            stores.close();
        }
    }
}
