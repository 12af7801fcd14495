package dev.parley.core.memory;

import dev.parley.core.contract.RateLimiterContract;
import dev.parley.core.port.RateLimiter;
import java.time.Clock;

class InMemoryRateLimiterTest extends RateLimiterContract {
    private InMemoryRateLimiter shared;

    @Override
    protected RateLimiter newLimiter(Clock clock) {
        if (shared == null) {
            shared = new InMemoryRateLimiter(clock);
        }
        return shared;
    }
}
