package dev.parley.core.port;

import dev.parley.core.Account;
import dev.parley.core.Device;
import java.util.Collection;
import java.util.List;
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

    /** Stores a new device with its token hash and {@link Device#lastUsedAtMs()}. */
    void createDevice(Device device);

    /** The active (not revoked) device whose token hashes to {@code tokenHash}, with its last use. */
    Optional<Device> findDeviceByTokenHash(byte[] tokenHash);

    /**
     * The active (not revoked) devices among {@code deviceIds}, with their last use, in no particular order;
     * unknown and revoked ids are left out. For re-checking the sessions of open sockets in one query.
     */
    List<Device> findActiveDevices(Collection<String> deviceIds);

    /**
     * Records that an active device was used at {@code usedAtMs}. Never moves the time backwards (a node
     * with a slower clock cannot shorten a session), so concurrent calls from several nodes are harmless.
     *
     * @return false if the device is unknown or revoked
     */
    boolean touchDevice(String deviceId, long usedAtMs);

    /**
     * Revokes a device: its token stops working at once.
     *
     * @return true if it was active
     */
    boolean revokeDevice(String deviceId);

    /** The user's active (not revoked) devices, oldest first. */
    List<Device> activeDevicesOf(String userId);

    /**
     * Sets the name shown for the user ({@code null} clears it).
     *
     * @return false if the user is unknown
     */
    boolean updateDisplayName(String userId, String displayName);

    /**
     * Replaces the user's password hash.
     *
     * @return false if the user is unknown
     */
    boolean updatePasswordHash(String userId, String passwordHash);

    /**
     * Erases an account's profile, atomically: every device revoked, the display name cleared, the password hash
     * replaced by one that matches no password, and the handle replaced by {@code tombstoneHandle} (so the handle
     * is free again). The user id stays, so the messages the user sent still have a sender.
     *
     * @return false if the user is unknown
     */
    boolean eraseAccount(String userId, String tombstoneHandle);

    @Override
    void close();
}
