package dev.parley.core.memory;

import dev.parley.core.port.RateLimiter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Token buckets in memory, for a single node. Idle full buckets are dropped so the map stays small.
 */
public final class InMemoryRateLimiter implements RateLimiter {
    private static final int SWEEP_EVERY = 10_000;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Clock clock;
    private final AtomicInteger calls = new AtomicInteger();

    public InMemoryRateLimiter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long tryAcquire(String key, double perSecond, int burst) {
        return check(key, perSecond, burst, true);
    }

    @Override
    public long tryAcquireOrFail(String key, double perSecond, int burst) {
        return check(key, perSecond, burst, true); // in memory: always able to answer
    }

    @Override
    public long peek(String key, double perSecond, int burst) {
        return check(key, perSecond, burst, false);
    }

    @Override
    public void refund(String key, double perSecond, int burst) {
        if (perSecond <= 0) {
            return;
        }
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            return; // dropped by the sweep because it was full: nothing to give back
        }
        synchronized (bucket) {
            if (bucket.dropped) {
                return;
            }
            bucket.refill(clock.millis(), perSecond, burst);
            bucket.tokens = Math.min(burst, bucket.tokens + 1);
        }
    }

    /** Buckets held right now (for tests and metrics): keyed state a client can make the node keep. */
    public int bucketCount() {
        return buckets.size();
    }

    private long check(String key, double perSecond, int burst, boolean take) {
        if (perSecond <= 0) {
            return 0;
        }
        long now = clock.millis();
        if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
        while (true) {
            Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now, perSecond, burst));
            synchronized (bucket) {
                if (bucket.dropped) {
                    continue; // the sweep removed it between the lookup and the lock: use the new one
                }
                bucket.refill(now, perSecond, burst);
                if (bucket.tokens >= 1) {
                    if (take) {
                        bucket.tokens -= 1;
                    }
                    return 0;
                }
                return Math.max(1, (long) Math.ceil((1 - bucket.tokens) * 1000 / perSecond));
            }
        }
    }

    private void sweep(long now) {
        buckets.entrySet().removeIf(e -> {
            Bucket b = e.getValue();
            synchronized (b) {
                b.refill(now, b.perSecond, b.burst);
                b.dropped = b.tokens >= b.burst;
                return b.dropped;
            }
        });
    }

    private static final class Bucket {
        final double perSecond;
        final int burst;
        double tokens;
        long updatedMs;
        /** Removed from the map; a caller still holding it must look the key up again. */
        boolean dropped;

        Bucket(double tokens, long updatedMs, double perSecond, int burst) {
            this.tokens = tokens;
            this.updatedMs = updatedMs;
            this.perSecond = perSecond;
            this.burst = burst;
        }

        void refill(long now, double perSecond, int burst) {
            if (now > updatedMs) {
                tokens = Math.min(burst, tokens + (now - updatedMs) * perSecond / 1000.0);
                updatedMs = now;
            }
        }
    }

    @Override
    public boolean inMemory() {
        return true;
    }
}
