package dev.parley.core.memory;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.port.AccountStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
    private final Map<ByteBuffer, String> devicesByToken = new HashMap<>();
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
            devicesById.put(device.deviceId(), copy(device));
            devicesByToken.put(key, device.deviceId());
        }
    }

    @Override
    public Optional<Device> findDeviceByTokenHash(byte[] tokenHash) {
        synchronized (lock) {
            String deviceId = devicesByToken.get(ByteBuffer.wrap(tokenHash));
            if (deviceId == null || revoked.contains(deviceId)) {
                return Optional.empty();
            }
            return Optional.of(copy(devicesById.get(deviceId)));
        }
    }

    @Override
    public List<Device> findActiveDevices(Collection<String> deviceIds) {
        synchronized (lock) {
            List<Device> out = new ArrayList<>();
            for (String id : new HashSet<>(deviceIds)) {
                Device d = devicesById.get(id);
                if (d != null && !revoked.contains(id)) {
                    out.add(copy(d));
                }
            }
            return out;
        }
    }

    @Override
    public boolean touchDevice(String deviceId, long usedAtMs) {
        synchronized (lock) {
            Device d = devicesById.get(deviceId);
            if (d == null || revoked.contains(deviceId)) {
                return false;
            }
            if (usedAtMs > d.lastUsedAtMs()) {
                devicesById.put(deviceId, new Device(d.deviceId(), d.userId(), d.name(), d.tokenHash(),
                        d.createdAtMs(), usedAtMs));
            }
            return true;
        }
    }

    private static Device copy(Device d) {
        return new Device(d.deviceId(), d.userId(), d.name(), d.tokenHash().clone(), d.createdAtMs(),
                d.lastUsedAtMs());
    }

    @Override
    public boolean revokeDevice(String deviceId) {
        synchronized (lock) {
            return devicesById.containsKey(deviceId) && revoked.add(deviceId);
        }
    }

    @Override
    public List<Device> activeDevicesOf(String userId) {
        synchronized (lock) {
            return devicesById.values().stream()
                    .filter(d -> d.userId().equals(userId) && !revoked.contains(d.deviceId()))
                    .sorted(java.util.Comparator.comparingLong(Device::createdAtMs).thenComparing(Device::deviceId))
                    .map(InMemoryAccountStore::copy).toList();
        }
    }

    @Override
    public boolean updateDisplayName(String userId, String displayName) {
        synchronized (lock) {
            Account a = byId.get(userId);
            if (a == null) {
                return false;
            }
            byId.put(userId, new Account(a.userId(), a.handle(), a.handleKey(), displayName, a.passwordHash(),
                    a.createdAtMs()));
            return true;
        }
    }

    @Override
    public boolean updatePasswordHash(String userId, String passwordHash) {
        synchronized (lock) {
            Account a = byId.get(userId);
            if (a == null) {
                return false;
            }
            byId.put(userId, new Account(a.userId(), a.handle(), a.handleKey(), a.displayName(), passwordHash,
                    a.createdAtMs()));
            return true;
        }
    }

    @Override
    public boolean eraseAccount(String userId, String tombstoneHandle) {
        synchronized (lock) {
            Account a = byId.get(userId);
            if (a == null) {
                return false;
            }
            devicesById.values().stream().filter(d -> d.userId().equals(userId)).forEach(d -> revoked.add(d.deviceId()));
            idByHandleKey.remove(a.handleKey());
            String key = tombstoneHandle.toLowerCase(java.util.Locale.ROOT);
            byId.put(userId, new Account(userId, tombstoneHandle, key, null, "!erased", a.createdAtMs()));
            idByHandleKey.put(key, userId);
            return true;
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
