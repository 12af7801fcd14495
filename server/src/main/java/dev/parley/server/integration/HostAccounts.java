package dev.parley.server.integration;

import dev.parley.core.Account;
import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.Limits;
import dev.parley.core.port.IdGenerator;
import dev.parley.protocol.ErrorCode;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users the host product manages: created by the operator or on first sign-in with a host-signed JWT, without
 * a password; disabled and enabled by the operator. A disabled user has no session: disabling revokes every
 * one (sockets close with 4401 on every node, through the usual revocation broadcast), and every way of
 * opening a new one checks the flag again after the session exists, so a sign-in racing the disable is
 * revoked too.
 */
public final class HostAccounts {
    private static final Logger log = LoggerFactory.getLogger(HostAccounts.class);
    /** Stored instead of a password hash: matches no password (no Argon2 encoding starts with '!'). */
    static final String NO_PASSWORD = "!";
    static final int MAX_EXTERNAL_ID = 255;
    private static final int HANDLE_ATTEMPTS = 8;

    private final AccountService accounts;
    private final HostAccountStore store;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final SecureRandom random = new SecureRandom();

    public HostAccounts(AccountService accounts, HostAccountStore store, IdGenerator ids, Clock clock, Limits limits) {
        this.accounts = accounts;
        this.store = store;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
    }

    /**
     * Creates a user without a password.
     *
     * @throws ChatException {@code bad_request} for an invalid handle, display name or external id;
     *                       {@code conflict} when the handle or the external id is taken
     */
    public HostAccountStore.HostUser create(String handle, String displayName, String externalId) {
        accounts.checkHandle(handle);
        String name = displayName(displayName, handle);
        checkExternalId(externalId);
        if (externalId != null && linked(externalId).isPresent()) {
            throw new ChatException(ErrorCode.CONFLICT, "externalId is taken");
        }
        Account account = new Account(ids.newId("usr"), handle, handle.toLowerCase(Locale.ROOT), name, NO_PASSWORD,
                clock.millis());
        if (!store.createAccount(account, externalId)) {
            if (externalId != null && store.findByExternalId(externalId).isPresent()) {
                throw new ChatException(ErrorCode.CONFLICT, "externalId is taken");
            }
            throw new ChatException(ErrorCode.CONFLICT, "handle is taken");
        }
        log.info("host user created userId={}", account.userId());
        return new HostAccountStore.HostUser(account.userId(), handle, name, externalId, false, false);
    }

    /** The user the host knows as {@code externalId}, created on first use with a handle derived from the name. */
    public HostAccountStore.HostUser forExternalId(String externalId, String name) {
        checkExternalId(externalId);
        Optional<HostAccountStore.HostUser> known = linked(externalId);
        if (known.isPresent()) {
            return known.get();
        }
        String base = handleBase(name != null ? name : externalId);
        for (int attempt = 0; attempt < HANDLE_ATTEMPTS; attempt++) {
            String handle = attempt == 0 ? base : base + "-" + (1000 + random.nextInt(9000));
            String display = displayName(name == null ? null : cut(name, limits.maxDisplayNameLength()), handle);
            Account account = new Account(ids.newId("usr"), handle, handle.toLowerCase(Locale.ROOT), display,
                    NO_PASSWORD, clock.millis());
            if (store.createAccount(account, externalId)) {
                log.info("host user created on first sign-in userId={}", account.userId());
                return new HostAccountStore.HostUser(account.userId(), handle, display, externalId, false, false);
            }
            known = store.findByExternalId(externalId); // a concurrent first sign-in won
            if (known.isPresent()) {
                return known.get();
            }
        }
        throw new ChatException(ErrorCode.CONFLICT, "no free handle could be derived for this user");
    }

    /**
     * The live user linked to {@code externalId}. A user who erased their account (DELETE /v1/me) is unlinked
     * here, so the host's id names a new user from then on instead of the tombstone.
     */
    private Optional<HostAccountStore.HostUser> linked(String externalId) {
        Optional<HostAccountStore.HostUser> user = store.findByExternalId(externalId);
        if (user.isPresent() && user.get().erased()) {
            store.forgetExternalId(user.get().userId());
            log.info("external id unlinked from an erased account userId={}", user.get().userId());
            return Optional.empty();
        }
        return user;
    }

    /** Letters, digits, {@code _ . -} from {@code source}, starting with a letter or digit, 3 to max-5 long. */
    String handleBase(String source) {
        StringBuilder b = new StringBuilder();
        for (char c : source.strip().toCharArray()) {
            boolean alnum = c < 128 && Character.isLetterOrDigit(c);
            if (alnum || (b.length() > 0 && (c == '_' || c == '.' || c == '-'))) {
                b.append(c);
            } else if (b.length() > 0 && (c == ' ' || c == '@') && b.charAt(b.length() - 1) != '-') {
                b.append(c == '@' ? '.' : '-');
            }
        }
        String s = b.toString().replaceAll("[_.-]+$", "");
        s = s.substring(0, Math.min(s.length(), limits.maxHandleLength() - 5));
        return s.length() < 3 ? "user" + (s.isEmpty() ? "" : "-" + s) : s;
    }

    /**
     * Opens a session for a user someone else authenticated (the operator, the host's JWT).
     *
     * @throws ChatException {@code not_found} for an unknown user; {@code forbidden} for a disabled one
     */
    public AccountService.NewSession openSession(String userId, String deviceName) {
        HostAccountStore.HostUser user = store.find(userId).filter(u -> !u.erased())
                .orElseThrow(() -> ChatException.notFound("user"));
        if (user.disabled()) {
            throw ChatException.forbidden("user is disabled");
        }
        return refuseIfDisabled(accounts.openSession(userId, deviceName));
    }

    /**
     * Revokes a session opened for a user who is (now) disabled; for every sign-in path, after the session
     * exists, so a disable that ran meanwhile cannot be missed.
     *
     * @throws ChatException {@code forbidden} if the user is disabled
     */
    public AccountService.NewSession refuseIfDisabled(AccountService.NewSession session) {
        if (store.find(session.userId()).map(HostAccountStore.HostUser::disabled).orElse(false)) {
            accounts.signOut(new Caller(session.userId(), session.deviceId()));
            throw ChatException.forbidden("user is disabled");
        }
        return session;
    }

    /**
     * Disables (revoking every session) or enables a user.
     *
     * @throws ChatException {@code not_found} for an unknown user
     */
    public HostAccountStore.HostUser setDisabled(String userId, boolean disabled) {
        if (!store.setDisabled(userId, disabled)) {
            throw ChatException.notFound("user");
        }
        if (disabled) {
            int revoked = 0;
            for (String deviceId : store.activeDeviceIds(userId)) {
                accounts.signOut(new Caller(userId, deviceId)); // closes its sockets on every node (4401)
                revoked++;
            }
            log.info("user disabled userId={} sessionsRevoked={}", userId, revoked);
        } else {
            log.info("user enabled userId={}", userId);
        }
        return store.find(userId).orElseThrow(() -> ChatException.notFound("user"));
    }

    public Optional<HostAccountStore.HostUser> find(String userId) {
        return store.find(userId);
    }

    public Optional<HostAccountStore.HostUser> findByExternalId(String externalId) {
        checkExternalId(externalId);
        return store.findByExternalId(externalId);
    }

    private String displayName(String displayName, String handle) {
        String name = displayName == null || displayName.isBlank() ? handle : displayName.strip();
        if (name.length() > limits.maxDisplayNameLength()) {
            throw ChatException.badRequest("displayName must be at most " + limits.maxDisplayNameLength()
                    + " characters");
        }
        return name;
    }

    private static void checkExternalId(String externalId) {
        if (externalId == null) {
            return;
        }
        if (externalId.isBlank() || externalId.length() > MAX_EXTERNAL_ID
                || externalId.chars().anyMatch(Character::isISOControl)) {
            throw ChatException.badRequest("externalId must be 1-" + MAX_EXTERNAL_ID
                    + " characters without control characters");
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
