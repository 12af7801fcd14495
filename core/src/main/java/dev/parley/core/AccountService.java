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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and sessions: sign-up, sign-in with brute-force throttling, bearer-token authentication
 * and revocation. A token is 256 random bits shown to the client once; only its SHA-256 is stored.
 */
public final class AccountService {
    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    private static final Pattern HANDLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final String TOKEN_PREFIX = "pt_";
    private static final long TOKEN_CACHE_MS = 60_000;
    private static final int TOKEN_CACHE_MAX = 100_000;

    private final AccountStore accounts;
    private final PasswordHasher hasher;
    private final RateLimiter rateLimiter;
    private final EventBus bus;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, CachedToken> tokenCache = new ConcurrentHashMap<>();
    private final String dummyHash;

    public AccountService(AccountStore accounts, PasswordHasher hasher, RateLimiter rateLimiter, EventBus bus,
                          IdGenerator ids, Clock clock, Limits limits) {
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
     * Creates an account.
     *
     * @throws ChatException {@code bad_request} for an invalid handle, password or display name;
     *                       {@code conflict} if the handle is taken
     */
    public Account signUp(String handle, String password, String displayName) {
        if (handle == null || handle.length() < 3 || handle.length() > limits.maxHandleLength()
                || !HANDLE.matcher(handle).matches()) {
            throw ChatException.badRequest("handle must be 3-" + limits.maxHandleLength()
                    + " characters of letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (password == null || password.length() < limits.minPasswordLength()
                || password.length() > limits.maxPasswordLength()) {
            throw ChatException.badRequest("password must be " + limits.minPasswordLength() + "-"
                    + limits.maxPasswordLength() + " characters");
        }
        String name = displayName == null || displayName.isBlank() ? handle : displayName.strip();
        if (name.length() > limits.maxDisplayNameLength()) {
            throw ChatException.badRequest("displayName must be at most " + limits.maxDisplayNameLength() + " characters");
        }
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
     * @throws ChatException {@code unauthorized} on bad credentials, {@code rate_limited} when throttled
     */
    public NewSession signIn(String handle, String password, String deviceName, String clientAddress) {
        if (handle == null || password == null) {
            throw ChatException.badRequest("handle and password are required");
        }
        String key = handle.toLowerCase(Locale.ROOT);
        double perSecond = limits.signInFailuresPerMinute() / 60.0;
        int burst = limits.signInFailuresPerMinute();
        String handleBucket = "signin:h:" + key;
        String addressBucket = "signin:a:" + clientAddress;
        long wait = Math.max(rateLimiter.peek(handleBucket, perSecond, burst),
                rateLimiter.peek(addressBucket, perSecond * 5, burst * 5));
        if (wait > 0) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many failed sign-ins; try again later", wait);
        }
        Optional<Account> account = key.length() > limits.maxHandleLength() ? Optional.empty()
                : accounts.findAccountByHandle(key);
        boolean ok = password.length() <= limits.maxPasswordLength()
                && hasher.verify(password.toCharArray(), account.map(Account::passwordHash).orElse(dummyHash))
                && account.isPresent();
        if (!ok) {
            rateLimiter.tryAcquire(handleBucket, perSecond, burst);
            rateLimiter.tryAcquire(addressBucket, perSecond * 5, burst * 5);
            throw new ChatException(ErrorCode.UNAUTHORIZED, "wrong handle or password");
        }
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String name = deviceName == null || deviceName.isBlank() ? "device"
                : deviceName.strip().substring(0, Math.min(64, deviceName.strip().length()));
        Device device = new Device(ids.newId("dev"), account.get().userId(), name, hashToken(token), clock.millis());
        accounts.createDevice(device);
        log.info("session created userId={} deviceId={}", device.userId(), device.deviceId());
        return new NewSession(token, device.userId(), device.deviceId());
    }

    /** The device a bearer token belongs to, if the token is valid and not revoked. */
    public Optional<Caller> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        long now = clock.millis();
        CachedToken cached = tokenCache.get(token);
        if (cached != null && cached.expiresAtMs > now) {
            return Optional.of(cached.caller);
        }
        Optional<Caller> caller = accounts.findDeviceByTokenHash(hashToken(token))
                .map(d -> new Caller(d.userId(), d.deviceId()));
        if (caller.isPresent()) {
            if (tokenCache.size() >= TOKEN_CACHE_MAX) {
                tokenCache.clear();
            }
            tokenCache.put(token, new CachedToken(caller.get(), now + TOKEN_CACHE_MS));
        } else {
            tokenCache.remove(token);
        }
        return caller;
    }

    /**
     * Revokes the caller's session: the token stops working on every node and every socket opened with
     * it is closed.
     */
    public void signOut(Caller caller) {
        accounts.revokeDevice(caller.deviceId());
        forgetDevice(caller.deviceId());
        var revoked = new BusEvent.DeviceRevoked(caller.userId(), caller.deviceId());
        bus.publish(EventBus.userTopic(caller.userId()), revoked);
        bus.publish(EventBus.REVOCATIONS_TOPIC, revoked);
        log.info("session revoked userId={} deviceId={}", caller.userId(), caller.deviceId());
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

    private record CachedToken(Caller caller, long expiresAtMs) {
    }
}
