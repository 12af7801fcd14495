package dev.parley.core.push;

import dev.parley.core.PresenceService;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.PushQueue;
import dev.parley.core.port.PushSender;
import dev.parley.core.port.PushStore;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery worker: claims due pushes from the durable {@link PushQueue} and hands each to the
 * {@link PushSender} of its type, on virtual threads with bounded concurrency. Every node runs one; the
 * queue's leases keep two nodes from sending the same push, and a push claimed by a node that died is
 * claimed again once its lease runs out.
 *
 * <p>Outcomes: delivered → removed; gone (404/410) → the subscription and its pushes deleted; retry (429,
 * 5xx, network) → back in the queue after an exponential backoff with jitter (or the service's
 * {@code Retry-After}), given up after {@link Options#maxAttempts}; dropped (other 4xx) → removed. Just
 * before sending, a push whose device has come online (it received the entry live) or was revoked is
 * removed instead.
 */
public final class PushDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushDelivery.class);

    private final PushQueue queue;
    private final PushStore store;
    private final AccountStore accounts;
    private final PresenceService presence;
    private final Map<PushType, PushSender> senders = new EnumMap<>(PushType.class);
    private final Clock clock;
    private final Options options;
    private final Outcomes outcomes;
    private final ExecutorService sending = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean running = true;
    private boolean woken;
    private Thread loop;

    /**
     * @param pollMs         how often the queue is looked at when nothing wakes the worker
     * @param leaseMs        how long a claimed push is reserved for this node
     * @param batch          pushes claimed at once
     * @param concurrency    pushes in flight at once
     * @param maxAttempts    failed attempts before a push is given up
     * @param baseBackoffMs  the first retry's delay; doubled per attempt, up to {@code maxBackoffMs}
     */
    public record Options(long pollMs, long leaseMs, int batch, int concurrency, int maxAttempts, long baseBackoffMs,
                          long maxBackoffMs) {
        public Options {
            if (pollMs < 1 || leaseMs < 1000 || batch < 1 || concurrency < 1 || maxAttempts < 1 || baseBackoffMs < 1
                    || maxBackoffMs < baseBackoffMs) {
                throw new IllegalArgumentException("invalid push delivery options");
            }
        }

        public static Options defaults() {
            return new Options(250, 60_000, 100, 64, 10, 1_000, 600_000);
        }
    }

    /** Told of each attempt's outcome (metrics). Must be quick and must not throw. */
    @FunctionalInterface
    public interface Outcomes {
        /** @param outcome {@code delivered}, {@code gone}, {@code retry}, {@code dropped}, {@code expired},
         *                 {@code online}, {@code revoked} or {@code unconfigured} */
        void outcome(PushType type, String outcome);

        Outcomes NONE = (type, outcome) -> { };
    }

    public PushDelivery(PushQueue queue, PushStore store, AccountStore accounts, PresenceService presence,
                        List<PushSender> senders, Clock clock, Options options, Outcomes outcomes) {
        this.queue = queue;
        this.store = store;
        this.accounts = accounts;
        this.presence = presence;
        for (PushSender s : senders) {
            this.senders.put(s.type(), s);
        }
        this.clock = clock;
        this.options = options;
        this.outcomes = outcomes;
        this.inFlight = new Semaphore(options.concurrency());
    }

    /** Starts the worker's loop on its own virtual thread. */
    public PushDelivery start() {
        loop = Thread.ofVirtual().name("push-delivery").start(this::run);
        return this;
    }

    /**
     * Asks the worker to look at the queue soon (pushes were just queued).
     * runs on: any thread.
     */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            try {
                int claimed = drainOnce();
                if (claimed < options.batch()) {
                    pause(options.pollMs());
                }
            } catch (RuntimeException e) {
                log.warn("push delivery: looking at the queue failed: {}", e.toString());
                pause(Math.max(options.pollMs(), 1000));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Claims the pushes due now and starts sending them; returns how many were claimed. Tests call it to
     * step the worker without its loop.
     */
    public int drainOnce() throws InterruptedException {
        List<QueuedPush> due = queue.claimDue(clock.millis(), options.batch(), options.leaseMs());
        for (QueuedPush push : due) {
            inFlight.acquire();
            sending.execute(() -> {
                try {
                    deliver(push);
                } catch (RuntimeException e) {
                    log.warn("push delivery failed pushId={} subscription={}: {}", push.pushId(),
                            push.subscription().subscriptionId(), e.toString());
                } finally {
                    inFlight.release();
                }
            });
        }
        return due.size();
    }

    private void pause(long ms) {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(ms);
            while (!woken && running && nanos > 0) {
                nanos = wake.awaitNanos(nanos);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    // runs on: a virtual thread of `sending`
    private void deliver(QueuedPush push) {
        PushSubscription s = push.subscription();
        PushSender sender = senders.get(s.type());
        if (sender == null) {
            queue.remove(push.pushId());
            outcomes.outcome(s.type(), "unconfigured");
            log.debug("push dropped: no {} sender configured subscription={}", s.type().wire(), s.subscriptionId());
            return;
        }
        if (accounts.findActiveDevices(List.of(s.deviceId())).isEmpty()) {
            store.deleteSubscription(s.subscriptionId());
            outcomes.outcome(s.type(), "revoked");
            return;
        }
        if (PresenceService.isOnline(presence.onlineDevices(s.userId()), s.deviceId())) {
            queue.remove(push.pushId());
            outcomes.outcome(s.type(), "online");
            return;
        }
        PushSender.Outcome outcome = sender.send(s, push.payload());
        switch (outcome.result()) {
            case DELIVERED -> {
                queue.remove(push.pushId());
                outcomes.outcome(s.type(), "delivered");
                log.debug("push delivered subscription={} conversation={} seq={} count={}", s.subscriptionId(),
                        push.payload().conversationId(), push.payload().seq(), push.payload().count());
            }
            case GONE -> {
                store.deleteSubscription(s.subscriptionId());
                outcomes.outcome(s.type(), "gone");
                log.info("push subscription {} is gone (status {}): deleted deviceId={}", s.subscriptionId(),
                        outcome.status(), s.deviceId());
            }
            case DROPPED -> {
                queue.remove(push.pushId());
                outcomes.outcome(s.type(), "dropped");
                log.warn("push refused by the {} service (status {}) subscription={}", s.type().wire(),
                        outcome.status(), s.subscriptionId());
            }
            case RETRY -> {
                int failed = push.attempts() + 1;
                if (failed >= options.maxAttempts()) {
                    queue.remove(push.pushId());
                    outcomes.outcome(s.type(), "expired");
                    log.warn("push given up after {} attempts (last status {}) subscription={}", failed,
                            outcome.status(), s.subscriptionId());
                } else {
                    long delay = backoffMs(failed, outcome.retryAfterMs());
                    queue.retryAt(push.pushId(), clock.millis() + delay);
                    outcomes.outcome(s.type(), "retry");
                    log.debug("push retry in {} ms (status {}) subscription={}", delay, outcome.status(),
                            s.subscriptionId());
                }
            }
        }
    }

    /** The delay before attempt {@code failed + 1}: the service's wish if it said one, else exponential with jitter. */
    long backoffMs(int failed, long retryAfterMs) {
        if (retryAfterMs > 0) {
            return Math.min(retryAfterMs, options.maxBackoffMs());
        }
        long exp = options.baseBackoffMs() << Math.min(failed - 1, 20);
        long capped = Math.min(exp, options.maxBackoffMs());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    @Override
    public void close() {
        running = false;
        wake();
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sending.shutdown();
        try {
            sending.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
