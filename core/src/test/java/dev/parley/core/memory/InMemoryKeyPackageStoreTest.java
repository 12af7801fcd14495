package dev.parley.core.memory;

import dev.parley.core.contract.KeyPackageStoreContract;
import dev.parley.core.port.KeyPackageStore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

class InMemoryKeyPackageStoreTest extends KeyPackageStoreContract {
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private KeyPackageStore store;

    @Override
    protected KeyPackageStore store() {
        if (store == null) {
            store = new InMemoryKeyPackageStore(deviceId -> !revoked.contains(deviceId));
        }
        return store;
    }

    @Override
    protected void activeDevice(String userId, String deviceId) {
        revoked.remove(deviceId);
    }

    @Override
    protected void revoke(String deviceId) {
        revoked.add(deviceId);
    }
}
