package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.PasswordHasher;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and sessions: sign-up (limited per client address), sign-in with brute-force throttling,
 * bearer-token authentication with idle expiry, and revocation. A token is 256 random bits shown to the
 * client once; only its SHA-256 is stored.
 *
 * <p>Input sizes are checked before anything keyed on the input (a rate-limit bucket, a lookup) exists, so
 * junk input costs the node nothing it has to remember.
 */
public final class AccountService {
    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    private static final Pattern HANDLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final String TOKEN_PREFIX = "pt_";
    private static final long TOKEN_CACHE_MS = 60_000;
    private static final int TOKEN_CACHE_MAX = 100_000;
    /** Longer device names are refused; shorter ones are cut to {@link #DEVICE_NAME_LENGTH}. */
    private static final int MAX_DEVICE_NAME_INPUT = 256;
    private static final int DEVICE_NAME_LENGTH = 64;
    /** What a sign-in refused because the throttle could not be checked is told to wait. */
    private static final long UNAVAILABLE_RETRY_MS = 1_000;

    private final AccountStore accounts;
    private final PasswordHasher hasher;
    private final RateLimiter rateLimiter;
    private final EventBus bus;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final AccountPolicy policy;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, CachedToken> tokenCache = new ConcurrentHashMap<>();
    private final String dummyHash;

    /** A service with the default {@link AccountPolicy}. */
    public AccountService(AccountStore accounts, PasswordHasher hasher, RateLimiter rateLimiter, EventBus bus,
                          IdGenerator ids, Clock clock, Limits limits) {
        this(accounts, hasher, rateLimiter, bus, ids, clock, limits, AccountPolicy.defaults());
    }

    public AccountService(AccountStore accounts, PasswordHasher hasher, RateLimiter rateLimiter, EventBus bus,
                          IdGenerator ids, Clock clock, Limits limits, AccountPolicy policy) {
        this.policy = policy;
        this.accounts = accounts;
        this.hasher = hasher;
        this.rateLimiter = rateLimiter;
        this.bus = bus;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
        this.dummyHash = hasher.hash("not-a-real-password".toCharArray());
    }

    /** A new session: the token (shown once), the user and the new device. */
    public record NewSession(String token, String userId, String deviceId) {
        @Override
        public String toString() {
            return "NewSession[userId=" + userId + ", deviceId=" + deviceId + "]";
        }
    }

    /**
     * Creates an account for a caller that is not a network client (tests, tools): no per-address limit.
     *
     * @throws ChatException {@code bad_request} for an invalid handle, password or display name;
     *                       {@code conflict} if the handle is taken; {@code unavailable} if password hashing is
     *                       saturated
     */
    public Account signUp(String handle, String password, String displayName) {
        String name = checkSignUp(handle, password, displayName);
        return create(handle, password, name);
    }

    /**
     * Creates an account for a client at {@code clientAddress} (a per-address key from the gateway). Each
     * address may create {@link AccountPolicy#signUpsPerHourPerAddress()} accounts per hour; the input is
     * checked first, so refused input uses up nothing.
     *
     * @throws ChatException {@code bad_request} for an invalid handle, password or display name;
     *                       {@code rate_limited} (with {@code retryAfterMs}) when the address used its allowance;
     *                       {@code conflict} if the handle is taken; {@code unavailable} if password hashing is
     *                       saturated (the attempt is not counted)
     */
    public Account signUp(String handle, String password, String displayName, String clientAddress) {
        String name = checkSignUp(handle, password, displayName);
        int perHour = policy.signUpsPerHourPerAddress();
        if (perHour == 0) {
            return create(handle, password, name);
        }
        String bucket = "signup:a:" + clientAddress;
        double perSecond = perHour / 3600.0;
        long wait = rateLimiter.tryAcquire(bucket, perSecond, perHour);
        if (wait > 0) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many new accounts from this address; try again later",
                    wait);
        }
        try {
            return create(handle, password, name);
        } catch (ChatException e) {
            if (e.code() == ErrorCode.UNAVAILABLE) {
                rateLimiter.refund(bucket, perSecond, perHour);
            }
            throw e;
        }
    }

    /** Checks a sign-up's input; returns the display name to store. */
    private String checkSignUp(String handle, String password, String displayName) {
        checkHandle(handle);
        if (password == null || password.length() < limits.minPasswordLength()
                || password.length() > limits.maxPasswordLength()) {
            throw ChatException.badRequest("password must be " + limits.minPasswordLength() + "-"
                    + limits.maxPasswordLength() + " characters");
        }
        String name = displayName == null || displayName.isBlank() ? handle : displayName.strip();
        if (name.length() > limits.maxDisplayNameLength()) {
            throw ChatException.badRequest("displayName must be at most " + limits.maxDisplayNameLength() + " characters");
        }
        return name;
    }

    /**
     * Checks that {@code handle} is a valid handle (3 to {@link Limits#maxHandleLength()} characters of letters,
     * digits, {@code _ . -}, starting with a letter or digit).
     *
     * @throws ChatException {@code bad_request} naming the rule
     */
    public void checkHandle(String handle) {
        if (handle == null || handle.length() < 3 || handle.length() > limits.maxHandleLength()
                || !HANDLE.matcher(handle).matches()) {
            throw ChatException.badRequest("handle must be 3-" + limits.maxHandleLength()
                    + " characters of letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    private Account create(String handle, String password, String name) {
        String key = handle.toLowerCase(Locale.ROOT);
        if (accounts.findAccountByHandle(key).isPresent()) {
            throw new ChatException(ErrorCode.CONFLICT, "handle is taken");
        }
        Account account = new Account(ids.newId("usr"), handle, key, name, hasher.hash(password.toCharArray()),
                clock.millis());
        if (!accounts.createAccount(account)) {
            throw new ChatException(ErrorCode.CONFLICT, "handle is taken");
        }
        log.info("account created userId={}", account.userId());
        return account;
    }

    /**
     * Signs in and opens a session for a new device. Failures are throttled per handle and per client
     * address; a throttled caller gets {@code rate_limited} with {@code retryAfterMs} even if the
     * password is right, so guessing cannot continue.
     *
     * <p>Each attempt takes a token from both buckets <em>before</em> the password is checked and gives them
     * back when it was right (or could not be checked), so however many guesses arrive at once, no more are
     * checked than the buckets hold.
     *
     * @throws ChatException {@code bad_request} for a malformed handle, password or device name (before any
     *                       throttling state exists), {@code unauthorized} on bad credentials, {@code rate_limited}
     *                       when throttled, {@code unavailable} if password hashing is saturated or the throttle
     *                       cannot be checked (a shared limiter that is down fails closed here)
     */
    public NewSession signIn(String handle, String password, String deviceName, String clientAddress) {
        if (handle == null || password == null) {
            throw ChatException.badRequest("handle and password are required");
        }
        checkHandle(handle);
        if (password.isEmpty() || password.length() > limits.maxPasswordLength()) {
            throw ChatException.badRequest("password must be 1-" + limits.maxPasswordLength() + " characters");
        }
        if (deviceName != null && deviceName.length() > MAX_DEVICE_NAME_INPUT) {
            throw ChatException.badRequest("deviceName must be at most " + MAX_DEVICE_NAME_INPUT + " characters");
        }
        String key = handle.toLowerCase(Locale.ROOT);
        List<Taken> taken = policy.throttleSignIns() ? takeSignInTokens(key, clientAddress) : List.of();
        Optional<Account> account;
        boolean ok;
        try {
            account = accounts.findAccountByHandle(key);
            ok = hasher.verify(password.toCharArray(), account.map(Account::passwordHash).orElse(dummyHash))
                    && account.isPresent();
        } catch (RuntimeException e) {
            refund(taken); // nothing was checked: the attempt does not count
            throw e;
        }
        if (!ok) {
            throw new ChatException(ErrorCode.UNAUTHORIZED, "wrong handle or password");
        }
        refund(taken); // successful sign-ins cost nothing
        return newSession(account.get().userId(), deviceName);
    }

    /**
     * Opens a session for a user whom someone else has already authenticated: the operator (admin API) or the
     * host product (a JWT it signed). No password, no throttle; the caller decides who may do this.
     *
     * @throws ChatException {@code bad_request} for an over-long device name; {@code not_found} for an unknown user
     */
    public NewSession openSession(String userId, String deviceName) {
        if (deviceName != null && deviceName.length() > MAX_DEVICE_NAME_INPUT) {
            throw ChatException.badRequest("deviceName must be at most " + MAX_DEVICE_NAME_INPUT + " characters");
        }
        if (userId == null || accounts.findAccountById(userId).isEmpty()) {
            throw ChatException.notFound("user");
        }
        return newSession(userId, deviceName);
    }

    private NewSession newSession(String userId, String deviceName) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String name = deviceName == null || deviceName.isBlank() ? "device"
                : deviceName.strip().substring(0, Math.min(DEVICE_NAME_LENGTH, deviceName.strip().length()));
        Device device = new Device(ids.newId("dev"), userId, name, hashToken(token), clock.millis());
        accounts.createDevice(device);
        log.info("session created userId={} deviceId={}", device.userId(), device.deviceId());
        return new NewSession(token, device.userId(), device.deviceId());
    }

    /** Takes one token from the handle's and the address's sign-in buckets, or throws {@code rate_limited}. */
    private List<Taken> takeSignInTokens(String handleKey, String clientAddress) {
        double perSecond = limits.signInFailuresPerMinute() / 60.0;
        int burst = limits.signInFailuresPerMinute();
        Taken handle = new Taken("signin:h:" + handleKey, perSecond, burst);
        Taken address = new Taken("signin:a:" + clientAddress, perSecond * 5, burst * 5);
        // Fail closed: if the shared limiter cannot answer, nobody gets unthrottled guesses meanwhile.
        try {
            long wait = rateLimiter.tryAcquireOrFail(handle.key, handle.perSecond, handle.burst);
            if (wait == 0) {
                try {
                    wait = rateLimiter.tryAcquireOrFail(address.key, address.perSecond, address.burst);
                } catch (RateLimiter.Unavailable e) {
                    refund(List.of(handle));
                    throw e;
                }
                if (wait == 0) {
                    return List.of(handle, address);
                }
                refund(List.of(handle));
            }
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many failed sign-ins; try again later", wait);
        } catch (RateLimiter.Unavailable e) {
            log.warn("sign-in refused: the sign-in throttle cannot be checked");
            throw new ChatException(ErrorCode.UNAVAILABLE, "sign-in is unavailable for a moment; try again shortly",
                    UNAVAILABLE_RETRY_MS);
        }
    }

    private void refund(List<Taken> taken) {
        for (Taken t : taken) {
            rateLimiter.refund(t.key, t.perSecond, t.burst);
        }
    }

    /** A bucket one attempt took a token from, to give it back when the attempt does not count. */
    private record Taken(String key, double perSecond, int burst) {
    }

    /**
     * The device a bearer token belongs to, if the token is valid, not revoked and not expired (unused for
     * longer than {@link AccountPolicy#sessionTtlMs()}). Each use moves the session's expiry; the store is
     * written at most once per {@link AccountPolicy#lastUseWriteIntervalMs()} per device.
     */
    public Optional<Caller> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        long now = clock.millis();
        CachedToken cached = tokenCache.get(token);
        if (cached != null && cached.cachedUntilMs > now && !expired(cached.lastUsedAtMs, now)) {
            if (now - cached.lastUsedAtMs >= policy.lastUseWriteIntervalMs()) {
                if (!accounts.touchDevice(cached.caller.deviceId(), now)) {
                    tokenCache.remove(token); // revoked meanwhile
                    return Optional.empty();
                }
                tokenCache.put(token, new CachedToken(cached.caller, now, cached.cachedUntilMs));
            }
            return Optional.of(cached.caller);
        }
        // Not cached, or cached as idle too long: another node may have seen a later use, so ask the store.
        Optional<Device> device = accounts.findDeviceByTokenHash(hashToken(token));
        if (device.isEmpty() || expired(device.get().lastUsedAtMs(), now)) {
            tokenCache.remove(token);
            return Optional.empty();
        }
        Device d = device.get();
        long lastUsed = d.lastUsedAtMs();
        if (now - lastUsed >= policy.lastUseWriteIntervalMs() && accounts.touchDevice(d.deviceId(), now)) {
            lastUsed = now;
        }
        Caller caller = new Caller(d.userId(), d.deviceId());
        if (tokenCache.size() >= TOKEN_CACHE_MAX) {
            tokenCache.clear();
        }
        tokenCache.put(token, new CachedToken(caller, lastUsed, now + TOKEN_CACHE_MS));
        return Optional.of(caller);
    }

    private boolean expired(long lastUsedAtMs, long now) {
        return now - lastUsedAtMs > policy.sessionTtlMs();
    }

    /**
     * Re-checks sessions against the store, bypassing every cache: which of {@code deviceIds} are still
     * signed in (not revoked, not expired). The live ones count as used now (they hold open sockets), written
     * at most once per {@link AccountPolicy#lastUseWriteIntervalMs()}; cached tokens of the others are
     * dropped. For the gateways' periodic audit, which must not trust a bus message it may have missed.
     */
    public Set<String> liveSessions(Collection<String> deviceIds) {
        if (deviceIds.isEmpty()) {
            return Set.of();
        }
        long now = clock.millis();
        Set<String> live = new HashSet<>();
        for (Device d : accounts.findActiveDevices(deviceIds)) {
            if (expired(d.lastUsedAtMs(), now)) {
                continue;
            }
            if (now - d.lastUsedAtMs() >= policy.lastUseWriteIntervalMs() && !accounts.touchDevice(d.deviceId(), now)) {
                continue; // revoked between the two queries
            }
            live.add(d.deviceId());
        }
        Set<String> gone = new HashSet<>(deviceIds);
        gone.removeAll(live);
        if (!gone.isEmpty()) {
            tokenCache.values().removeIf(c -> gone.contains(c.caller.deviceId()));
        }
        return live;
    }

    /**
     * Revokes the caller's session: the token stops working on every node and every socket opened with
     * it is closed.
     */
    public void signOut(Caller caller) {
        revoke(caller.userId(), caller.deviceId(), true);
    }

    /**
     * Revokes one session of a user: the token stops working on every node and its sockets close.
     *
     * @param inStore false when the store has revoked it already (an erased account), so only the caches and
     *                sockets are left to do
     */
    void revoke(String userId, String deviceId, boolean inStore) {
        if (inStore) {
            accounts.revokeDevice(deviceId);
        }
        forgetDevice(deviceId);
        var revoked = new BusEvent.DeviceRevoked(userId, deviceId);
        bus.publish(EventBus.userTopic(userId), revoked);
        bus.publish(EventBus.REVOCATIONS_TOPIC, revoked);
        log.info("session revoked userId={} deviceId={}", userId, deviceId);
    }

    /** The account rules new input is checked by (lengths of handles, passwords, names). */
    Limits limits() {
        return limits;
    }

    /** Drops cached tokens of a revoked device (called on every node when the revocation is broadcast). */
    public void forgetDevice(String deviceId) {
        tokenCache.values().removeIf(c -> c.caller.deviceId().equals(deviceId));
    }

    public Optional<Account> findUser(String userId) {
        return accounts.findAccountById(userId);
    }

    public Optional<Account> findUserByHandle(String handle) {
        if (handle == null || handle.length() > limits.maxHandleLength()) {
            return Optional.empty();
        }
        return accounts.findAccountByHandle(handle.toLowerCase(Locale.ROOT));
    }

    static byte[] hashToken(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token known to be valid until {@code cachedUntilMs}, last used (as far as the store knows) then. */
    private record CachedToken(Caller caller, long lastUsedAtMs, long cachedUntilMs) {
    }
}
