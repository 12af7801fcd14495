package dev.parley.core;

import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ErrorCode;

/**
 * Charges one request to one of the {@link RateBudgets} through the {@link RateLimiter}, keyed by who
 * pays (a user id, a user and conversation, a client address). With budgets off it never asks the
 * limiter, so a load test pays no round trip to Redis.
 */
final class BudgetMeter {
    private final RateLimiter limiter;
    private final RateBudgets budgets;

    BudgetMeter(RateLimiter limiter, RateBudgets budgets) {
        this.limiter = limiter;
        this.budgets = budgets;
    }

    /** A meter that never limits and never asks a limiter. */
    static BudgetMeter unlimited() {
        return new BudgetMeter(null, RateBudgets.off());
    }

    /** Takes a token: 0 if taken, otherwise the milliseconds until one will be there (nothing taken). */
    long tryTake(RateBudgets.Name name, String payer) {
        if (!budgets.enabled()) {
            return 0;
        }
        RateBudgets.Budget b = budgets.get(name);
        return limiter.tryAcquire(name.bucket() + payer, b.perSecond(), b.burst());
    }

    /**
     * Takes a token or refuses.
     *
     * @throws ChatException {@code rate_limited} with the time to wait, naming the budget (never the payer)
     */
    void take(RateBudgets.Name name, String payer) {
        long wait = tryTake(name, payer);
        if (wait > 0) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "over the " + name.yamlKey() + " budget", wait);
        }
    }
}
