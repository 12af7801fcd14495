package dev.parley.core;

import dev.parley.core.port.KeyPackageCheck;
import dev.parley.core.port.KeyPackageStore;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ErrorCode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The MLS directory's rules (the server is the Delivery Service and never holds private keys): each device
 * uploads KeyPackages whose credential names it, up to {@value #MAX_HELD}; anyone signed in may claim packages
 * of other users to add them to a group, one per device, each handed out once, within a budget, since every
 * claim consumes a package.
 */
public final class KeyPackageService {
    /** Packages one device may hold. */
    public static final int MAX_HELD = 100;
    /** Largest package accepted (a suite-1 KeyPackage with a basic credential is a few hundred bytes). */
    public static final int MAX_PACKAGE_BYTES = 16 * 1024;
    /** Users one claim may name. */
    public static final int MAX_CLAIM_USERS = 100;
    /**
     * Users whose packages one user may claim: 200 at once (a large group created in one go), then one a
     * second. Lifted with every other budget by {@code PARLEY_RATE_LIMITS=off}.
     */
    public static final RateBudgets.Budget CLAIMS = new RateBudgets.Budget(1, 200);

    private final KeyPackageStore store;
    private final KeyPackageCheck check;
    private final RateLimiter limiter;
    private final RateBudgets budgets;
    private final Clock clock;
    private final BlockCheck blocks;

    public KeyPackageService(KeyPackageStore store, KeyPackageCheck check, RateLimiter limiter, RateBudgets budgets,
                             Clock clock) {
        this(store, check, limiter, budgets, clock, BlockCheck.NONE);
    }

    /** A service that refuses claims for users who block the caller ({@code blocks}). */
    public KeyPackageService(KeyPackageStore store, KeyPackageCheck check, RateLimiter limiter, RateBudgets budgets,
                             Clock clock, BlockCheck blocks) {
        this.store = store;
        this.check = check;
        this.limiter = limiter;
        this.budgets = budgets;
        this.clock = clock;
        this.blocks = blocks;
    }

    /** One package handed out, for the wire. */
    public record Claimed(String userId, String deviceId, String keyPackage) {
    }

    /**
     * Checks and stores the caller device's packages (standard base64 of the MLSMessage holding each).
     *
     * @return how many the device holds now
     * @throws ChatException {@code bad_request} naming the first package refused and why (nothing is stored
     *                       then), or when the upload would go over {@value #MAX_HELD}
     */
    public int upload(Caller caller, List<String> keyPackages) {
        if (keyPackages == null || keyPackages.isEmpty() || keyPackages.size() > MAX_HELD) {
            throw ChatException.badRequest("keyPackages must hold 1 to " + MAX_HELD + " packages");
        }
        List<byte[]> decoded = new ArrayList<>(keyPackages.size());
        long now = clock.millis() / 1000;
        for (int i = 0; i < keyPackages.size(); i++) {
            String b64 = keyPackages.get(i);
            if (b64 == null || b64.length() > MAX_PACKAGE_BYTES * 4 / 3 + 4) {
                throw ChatException.badRequest("keyPackages[" + i + "] is missing or over " + MAX_PACKAGE_BYTES + " bytes");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw ChatException.badRequest("keyPackages[" + i + "] is not standard base64");
            }
            try {
                check.check(bytes, caller.userId(), caller.deviceId(), now);
            } catch (IllegalArgumentException e) {
                throw ChatException.badRequest("keyPackages[" + i + "] is refused: " + e.getMessage());
            }
            decoded.add(bytes);
        }
        return store.add(caller.userId(), caller.deviceId(), decoded, MAX_HELD).orElseThrow(() ->
                ChatException.badRequest("a device holds at most " + MAX_HELD + " KeyPackages; it holds "
                        + store.count(caller.deviceId())));
    }

    /**
     * Claims one package for every active device of each user named. Each user named costs the caller one
     * token of the {@link #CLAIMS} budget, taken before anything is handed out.
     *
     * @throws ChatException {@code bad_request} for an empty or oversized list, {@code rate_limited} past the budget,
     *                        {@code forbidden} (nothing handed out) when a user named blocks the caller
     */
    public List<Claimed> claim(Caller caller, List<String> userIds) {
        if (userIds == null || userIds.isEmpty() || userIds.size() > MAX_CLAIM_USERS) {
            throw ChatException.badRequest("userIds must name 1 to " + MAX_CLAIM_USERS + " users");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String id : userIds) {
            if (id == null || id.isBlank() || id.length() > 64) {
                throw ChatException.badRequest("userIds must be user ids");
            }
            distinct.add(id);
        }
        if (budgets.enabled()) {
            RateBudgets.Budget b = CLAIMS;
            for (int i = 0; i < distinct.size(); i++) {
                long wait = limiter.tryAcquire("kp-claim:" + caller.userId(), b.perSecond(), b.burst());
                if (wait > 0) {
                    throw new ChatException(ErrorCode.RATE_LIMITED, "too many KeyPackage claims", wait);
                }
            }
        }
        for (String id : distinct) {
            if (blocks.blocks(id, caller.userId())) {
                throw ChatException.forbidden("a user named does not accept you");
            }
        }
        // Unknown ids simply have no devices: the answer never says whether a user exists beyond that.
        return store.claim(distinct).stream().map(c -> new Claimed(c.userId(), c.deviceId(),
                Base64.getEncoder().encodeToString(c.keyPackage()))).toList();
    }

    /** How many packages the caller's device holds. */
    public int count(Caller caller) {
        return store.count(caller.deviceId());
    }
}
