package dev.parley.core.memory;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.port.AccountStore;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link AccountStore} held in memory, for the core's unit tests. One lock guards everything; token
 * hashes are looked up by content, as the SQL adapters do.
 */
public final class InMemoryAccountStore implements AccountStore {

    private final Object lock = new Object();
    private final Map<String, Account> byId = new HashMap<>();
    private final Map<String, String> idByHandleKey = new HashMap<>();
    private final Map<ByteBuffer, Device> devicesByToken = new HashMap<>();
    private final Map<String, Device> devicesById = new HashMap<>();
    private final Set<String> revoked = new HashSet<>();

    @Override
    public boolean createAccount(Account account) {
        synchronized (lock) {
            if (idByHandleKey.containsKey(account.handleKey()) || byId.containsKey(account.userId())) {
                return false;
            }
            byId.put(account.userId(), account);
            idByHandleKey.put(account.handleKey(), account.userId());
            return true;
        }
    }

    @Override
    public Optional<Account> findAccountById(String userId) {
        synchronized (lock) {
            return Optional.ofNullable(byId.get(userId));
        }
    }

    @Override
    public Optional<Account> findAccountByHandle(String handleKey) {
        synchronized (lock) {
            return Optional.ofNullable(idByHandleKey.get(handleKey)).map(byId::get);
        }
    }

    @Override
    public void createDevice(Device device) {
        synchronized (lock) {
            if (!byId.containsKey(device.userId())) {
                throw new IllegalArgumentException("unknown user " + device.userId());
            }
            ByteBuffer key = ByteBuffer.wrap(device.tokenHash().clone());
            if (devicesById.containsKey(device.deviceId()) || devicesByToken.containsKey(key)) {
                throw new IllegalStateException("device " + device.deviceId() + " or its token exists");
            }
            Device copy = new Device(device.deviceId(), device.userId(), device.name(), device.tokenHash().clone(),
                    device.createdAtMs());
            devicesById.put(device.deviceId(), copy);
            devicesByToken.put(key, copy);
        }
    }

    @Override
    public Optional<Device> findDeviceByTokenHash(byte[] tokenHash) {
        synchronized (lock) {
            Device device = devicesByToken.get(ByteBuffer.wrap(tokenHash));
            if (device == null || revoked.contains(device.deviceId())) {
                return Optional.empty();
            }
            return Optional.of(new Device(device.deviceId(), device.userId(), device.name(),
                    device.tokenHash().clone(), device.createdAtMs()));
        }
    }

    @Override
    public boolean revokeDevice(String deviceId) {
        synchronized (lock) {
            return devicesById.containsKey(deviceId) && revoked.add(deviceId);
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
