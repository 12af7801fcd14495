package dev.parley.core.port;

import dev.parley.core.Account;
import dev.parley.core.Device;
import java.util.Optional;

/** Users and their devices (sessions). Methods block; callers run on virtual threads. */
public interface AccountStore extends AutoCloseable {

    /**
     * Stores a new account.
     *
     * @return false, storing nothing, if the handle (compared by {@link Account#handleKey()}) is taken
     */
    boolean createAccount(Account account);

    Optional<Account> findAccountById(String userId);

    /** Finds an account by its case-folded handle. */
    Optional<Account> findAccountByHandle(String handleKey);

    /** Stores a new device with its token hash. */
    void createDevice(Device device);

    /** The active (not revoked) device whose token hashes to {@code tokenHash}. */
    Optional<Device> findDeviceByTokenHash(byte[] tokenHash);

    /**
     * Revokes a device: its token stops working at once.
     *
     * @return true if it was active
     */
    boolean revokeDevice(String deviceId);

    @Override
    void close();
}
