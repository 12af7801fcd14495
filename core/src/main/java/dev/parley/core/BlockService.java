package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.BlockStore;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ErrorCode;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Blocking: the commands behind {@code PUT/DELETE/GET /v1/me/blocks}, and the {@link BlockCheck} every hot path
 * asks. Per node it keeps, per user, the set of users they block (loaded lazily, bounded LRU, the empty set
 * shared), so the fan-out asks memory. A change is written to the {@link BlockStore} first, then this node's
 * entry is dropped and {@link #TOPIC} tells every other node to drop theirs; after a bus outage the owner calls
 * {@link #forgetAll}. A load that races an invalidation is not cached (a generation counter), so a stale set
 * never outlives the event that should have dropped it.
 */
public final class BlockService implements BlockCheck, AutoCloseable {
    /** Every node listens here for users whose block list changed. */
    public static final String TOPIC = "sys.blocks";
    /** Block and unblock commands a user may make: 60 at once, then one a second. */
    public static final RateBudgets.Budget CHANGES = new RateBudgets.Budget(1, 60);
    private static final int MAX_ID = 64;

    private final BlockStore store;
    private final AccountStore accounts;
    private final EventBus bus;
    private final RateLimiter limiter;
    private final RateBudgets budgets;
    private final Clock clock;
    private final int capacity;
    private final Map<String, Set<String>> cache;
    private final AtomicLong generation = new AtomicLong();
    private final EventBus.Subscription subscription;

    public BlockService(BlockStore store, AccountStore accounts, EventBus bus, RateLimiter limiter,
                        RateBudgets budgets, Clock clock, int capacity) {
        this.store = store;
        this.accounts = accounts;
        this.bus = bus;
        this.limiter = limiter;
        this.budgets = budgets;
        this.clock = clock;
        this.capacity = capacity;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                return size() > BlockService.this.capacity;
            }
        };
        this.subscription = bus.subscribe(TOPIC, e -> {
            if (e instanceof BusEvent.BlocksChanged changed) {
                forget(changed.userId());
            }
        });
    }

    // ---- commands ------------------------------------------------------------------------------

    /**
     * The caller blocks {@code userId}; idempotent.
     *
     * @throws ChatException {@code bad_request} for a malformed id or oneself, {@code not_found} for an unknown
     *                       user, {@code rate_limited} past {@link #CHANGES}
     */
    public void block(Caller caller, String userId) {
        checkId(userId);
        if (userId.equals(caller.userId())) {
            throw ChatException.badRequest("you cannot block yourself");
        }
        if (accounts.findAccountById(userId).isEmpty()) {
            throw ChatException.notFound("user");
        }
        charge(caller);
        if (store.block(caller.userId(), userId, clock.millis())) {
            changed(caller.userId());
        }
    }

    /**
     * The caller unblocks {@code userId}; idempotent (unblocking someone not blocked is no error).
     *
     * @throws ChatException {@code bad_request} for a malformed id or oneself, {@code not_found} for a user who
     *                       neither exists nor is blocked
     */
    public void unblock(Caller caller, String userId) {
        checkId(userId);
        if (userId.equals(caller.userId())) {
            throw ChatException.badRequest("you cannot block yourself");
        }
        charge(caller);
        if (store.unblock(caller.userId(), userId)) {
            changed(caller.userId());
        } else if (accounts.findAccountById(userId).isEmpty()) {
            throw ChatException.notFound("user");
        }
    }

    /** Everyone the caller blocks, oldest first, with their names where the account still has them. */
    public List<BlockedAccount> list(Caller caller) {
        return store.blockedBy(caller.userId()).stream().map(b -> {
            Optional<Account> a = accounts.findAccountById(b.userId());
            return new BlockedAccount(b.userId(), a.map(Account::handle).orElse(null),
                    a.map(Account::displayName).orElse(null), b.blockedAtMs());
        }).toList();
    }

    /** One entry of the caller's block list. */
    public record BlockedAccount(String userId, String handle, String displayName, long blockedAtMs) {
    }

    // ---- the check -----------------------------------------------------------------------------

    @Override
    public boolean blocks(String blockerId, String blockedId) {
        if (blockerId == null || blockedId == null) {
            return false;
        }
        return blockedBy(blockerId).contains(blockedId);
    }

    /** Whether {@code blockerId} blocks {@code blockedId}, if this node has the blocker's set in memory. */
    @Override
    public Optional<Boolean> blocksIfCached(String blockerId, String blockedId) {
        synchronized (cache) {
            Set<String> hit = cache.get(blockerId);
            return hit == null ? Optional.empty() : Optional.of(hit.contains(blockedId));
        }
    }

    @Override
    public void warm(String userId) {
        blockedBy(userId);
    }

    /** The users {@code blockerId} blocks (immutable; read through this node's cache). */
    public Set<String> blockedBy(String blockerId) {
        synchronized (cache) {
            Set<String> hit = cache.get(blockerId);
            if (hit != null) {
                return hit;
            }
        }
        long before = generation.get();
        List<BlockStore.Blocked> rows = store.blockedBy(blockerId);
        Set<String> loaded;
        if (rows.isEmpty()) {
            loaded = Set.of();
        } else {
            Set<String> ids = new HashSet<>(rows.size() * 2);
            rows.forEach(r -> ids.add(r.userId()));
            loaded = Set.copyOf(ids);
        }
        synchronized (cache) {
            if (generation.get() == before) {
                cache.put(blockerId, loaded);
            }
        }
        return loaded;
    }

    /** Drops one user's set (their block list changed, here or on another node). */
    public void forget(String userId) {
        synchronized (cache) {
            generation.incrementAndGet();
            cache.remove(userId);
        }
    }

    /** Drops every set, e.g. after changes may have been missed during a bus outage. */
    public void forgetAll() {
        synchronized (cache) {
            generation.incrementAndGet();
            cache.clear();
        }
    }

    @Override
    public void close() {
        subscription.close();
    }

    // ---- internals -----------------------------------------------------------------------------

    private void changed(String blockerId) {
        forget(blockerId);
        bus.publish(TOPIC, new BusEvent.BlocksChanged(blockerId));
    }

    private void charge(Caller caller) {
        if (!budgets.enabled()) {
            return;
        }
        long wait = limiter.tryAcquire("budget:blocks:" + caller.userId(), CHANGES.perSecond(), CHANGES.burst());
        if (wait > 0) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "changing blocks too fast", wait);
        }
    }

    private static void checkId(String userId) {
        if (userId == null || userId.isBlank() || userId.length() > MAX_ID) {
            throw ChatException.badRequest("userId must be a user id");
        }
    }
}
