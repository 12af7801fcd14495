package dev.parley.core;

import dev.parley.core.port.AccountStore;
import dev.parley.core.port.PasswordHasher;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ErrorCode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What people change about their own account: the name others see, the password (every other session is signed
 * out, as anyone who changes a password because it leaked expects), the list of signed-in devices with a way to
 * sign one out, and deleting the account. Sessions revoked here stop working on every node and their sockets
 * close, through {@link AccountService}'s revocation broadcast.
 */
public final class AccountSettings {
    private static final Logger log = LoggerFactory.getLogger(AccountSettings.class);
    /**
     * Wrong current passwords one user may give: the same allowance as failed sign-ins for one handle, so a stolen
     * session cannot be used to guess the password faster than signing in could.
     */
    private static final String PASSWORD_BUCKET = "password:u:";

    private final AccountStore accounts;
    private final AccountService sessions;
    private final PasswordHasher hasher;
    private final RateLimiter limiter;
    private final AccountPolicy policy;
    private final List<Consumer<Caller>> deletionListeners = new CopyOnWriteArrayList<>();

    public AccountSettings(AccountStore accounts, AccountService sessions, PasswordHasher hasher, RateLimiter limiter,
                           AccountPolicy policy) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.hasher = hasher;
        this.limiter = limiter;
        this.policy = policy;
    }

    /**
     * Runs {@code listener} with the caller of every {@link #deleteAccount} before the account is erased (the
     * groups the account leaves, {@link GroupAdmin#accountDeleted}).
     */
    public AccountSettings onAccountDeleted(Consumer<Caller> listener) {
        deletionListeners.add(listener);
        return this;
    }

    /** One signed-in device, as its owner sees it. */
    public record Session(String deviceId, String deviceName, long createdAtMs, long lastSeenMs, boolean current) {
    }

    /**
     * Sets the name others see; blank means "show my handle".
     *
     * @throws ChatException {@code bad_request} for a missing or overlong name
     */
    public Account changeDisplayName(Caller caller, String displayName) {
        if (displayName == null) {
            throw ChatException.badRequest("displayName is required");
        }
        Account a = account(caller);
        String name = displayName.isBlank() ? a.handle() : displayName.strip();
        if (name.length() > sessions.limits().maxDisplayNameLength()) {
            throw ChatException.badRequest("displayName must be at most " + sessions.limits().maxDisplayNameLength()
                    + " characters");
        }
        accounts.updateDisplayName(caller.userId(), name);
        return account(caller);
    }

    /**
     * Changes the password after checking the current one, then signs out every other session.
     *
     * @return how many other sessions were signed out
     * @throws ChatException {@code bad_request} for a new password of the wrong length, {@code forbidden} for a
     *                       wrong current password, {@code rate_limited} after too many wrong ones,
     *                       {@code unavailable} when password hashing is saturated
     */
    public int changePassword(Caller caller, String oldPassword, String newPassword) {
        Limits limits = sessions.limits();
        if (oldPassword == null || oldPassword.isEmpty() || oldPassword.length() > limits.maxPasswordLength()) {
            throw ChatException.badRequest("oldPassword is required");
        }
        if (newPassword == null || newPassword.length() < limits.minPasswordLength()
                || newPassword.length() > limits.maxPasswordLength()) {
            throw ChatException.badRequest("newPassword must be " + limits.minPasswordLength() + "-"
                    + limits.maxPasswordLength() + " characters");
        }
        Account a = account(caller);
        String bucket = PASSWORD_BUCKET + caller.userId();
        double perSecond = limits.signInFailuresPerMinute() / 60.0;
        int burst = limits.signInFailuresPerMinute();
        boolean throttled = policy.throttleSignIns();
        if (throttled) {
            long wait = limiter.tryAcquire(bucket, perSecond, burst);
            if (wait > 0) {
                throw new ChatException(ErrorCode.RATE_LIMITED, "too many wrong passwords; try again later", wait);
            }
        }
        if (!hasher.verify(oldPassword.toCharArray(), a.passwordHash())) {
            throw ChatException.forbidden("the current password is wrong");
        }
        if (throttled) {
            limiter.refund(bucket, perSecond, burst); // a right password costs nothing
        }
        accounts.updatePasswordHash(caller.userId(), hasher.hash(newPassword.toCharArray()));
        int others = 0;
        for (Device d : accounts.activeDevicesOf(caller.userId())) {
            if (!d.deviceId().equals(caller.deviceId())) {
                sessions.revoke(caller.userId(), d.deviceId(), true);
                others++;
            }
        }
        log.info("password changed userId={} otherSessionsRevoked={}", caller.userId(), others);
        return others;
    }

    /** The caller's signed-in devices, oldest first; {@code current} marks the one asking. */
    public List<Session> sessions(Caller caller) {
        return accounts.activeDevicesOf(caller.userId()).stream()
                .map(d -> new Session(d.deviceId(), d.name(), d.createdAtMs(), d.lastUsedAtMs(),
                        d.deviceId().equals(caller.deviceId())))
                .toList();
    }

    /**
     * Signs out one of the caller's own sessions (the current one included).
     *
     * @throws ChatException {@code not_found} for a device that is not the caller's or is already signed out
     */
    public void revokeSession(Caller caller, String deviceId) {
        boolean mine = deviceId != null && accounts.activeDevicesOf(caller.userId()).stream()
                .anyMatch(d -> d.deviceId().equals(deviceId));
        if (!mine) {
            throw ChatException.notFound("session");
        }
        sessions.revoke(caller.userId(), deviceId, true);
    }

    /**
     * Deletes the caller's account: every session is signed out and the profile erased (the handle becomes free,
     * the display name is cleared, no password works). Messages already sent stay in their conversations, shown
     * as from a deleted account.
     */
    public void deleteAccount(Caller caller) {
        for (Consumer<Caller> listener : deletionListeners) {
            listener.accept(caller); // while the caller can still act: e.g. leave groups, handing ownership on
        }
        List<Device> devices = accounts.activeDevicesOf(caller.userId());
        accounts.eraseAccount(caller.userId(), "deleted-" + caller.userId());
        for (Device d : devices) {
            sessions.revoke(caller.userId(), d.deviceId(), false);
        }
        log.info("account deleted userId={} sessionsRevoked={}", caller.userId(), devices.size());
    }

    private Account account(Caller caller) {
        Optional<Account> a = accounts.findAccountById(caller.userId());
        return a.orElseThrow(() -> ChatException.notFound("account"));
    }
}
