package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.TypingState;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Typing state per (conversation, user), never stored. Only a change of what the other members see is
 * fanned out: a repeated {@code start} just keeps the indicator alive, a {@code stop} with nothing shown
 * is nothing. A {@code start} not refreshed within the timeout, or followed by a message from the same
 * user, ends with a {@code stop} so no indicator is left on forever.
 *
 * <p>Each change costs a token from the user's {@link RateBudgets#typing()} budget for that conversation.
 * Past it, {@link OverBudget} says what happens: a frame nobody waits on is deferred (the newest wanted
 * state is kept and shown once the budget refills, if it still differs, so the last state wins with at
 * most one late event), a frame that expects an answer is refused with {@code rate_limited}.
 */
public final class TypingTracker implements AutoCloseable {

    /** What to do with a change that finds the budget empty. */
    public enum OverBudget {
        /** Keep it as the wanted state and show it when the budget allows (fire-and-forget frames). */
        DEFER,
        /** Throw {@code rate_limited} and change nothing (frames with an {@code id}, whose sender learns it). */
        REFUSE
    }

    private final EventBus bus;
    private final Clock clock;
    private final long timeoutMs;
    private final BudgetMeter meter;
    private final Map<Key, State> states = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /** A tracker with no budget (every change is shown at once). */
    public TypingTracker(EventBus bus, Clock clock, long timeoutMs) {
        this(bus, clock, timeoutMs, BudgetMeter.unlimited());
    }

    public TypingTracker(EventBus bus, Clock clock, long timeoutMs, RateLimiter limiter, RateBudgets budgets) {
        this(bus, clock, timeoutMs, new BudgetMeter(limiter, budgets));
    }

    TypingTracker(EventBus bus, Clock clock, long timeoutMs, BudgetMeter meter) {
        this.bus = bus;
        this.clock = clock;
        this.timeoutMs = timeoutMs;
        this.meter = meter;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-typing");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, timeoutMs / 6);
        sweeper.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    /** Shows the user as typing (deferred when over budget). */
    public void start(String conversationId, String userId) {
        set(conversationId, userId, TypingState.START, OverBudget.DEFER);
    }

    /** Shows the user as no longer typing (deferred when over budget). */
    public void stop(String conversationId, String userId) {
        set(conversationId, userId, TypingState.STOP, OverBudget.DEFER);
    }

    /**
     * Applies a typing frame.
     *
     * @throws ChatException {@code rate_limited} if the change finds the budget empty and {@code overBudget}
     *                       is {@link OverBudget#REFUSE}
     */
    public void set(String conversationId, String userId, TypingState state, OverBudget overBudget) {
        boolean start = state == TypingState.START;
        Key key = new Key(conversationId, userId);
        long now = clock.millis();
        boolean change = withState(key, s -> {
            if (s.shown == start) {
                // The latest word matches what members see: refresh it, and forget any deferred change.
                if (start) {
                    s.expiresAt = now + timeoutMs;
                }
                s.wanted = null;
                return false;
            }
            return true;
        });
        if (!change) {
            return;
        }
        long wait = meter.tryTake(RateBudgets.Name.TYPING, userId + ":" + conversationId);
        if (wait > 0 && overBudget == OverBudget.REFUSE) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "typing state changed too often", wait);
        }
        boolean schedule = withState(key, s -> {
            if (wait == 0) {
                show(key, s, start, now);
                s.wanted = null;
                return false;
            }
            if (s.shown == start) {
                s.wanted = null;
                return false;
            }
            s.wanted = state;
            s.wantedAt = now;
            if (s.retryScheduled) {
                return false;
            }
            s.retryScheduled = true;
            return true;
        });
        if (schedule) {
            retryLater(key, wait);
        }
    }

    /** A message from the user ends their indicator at once: bounded by the send rate, so never budgeted. */
    void stopNow(String conversationId, String userId) {
        Key key = new Key(conversationId, userId);
        withState(key, s -> {
            s.wanted = null;
            if (s.shown) {
                show(key, s, false, clock.millis());
            }
            return null;
        });
    }

    /** Expires starts that were not refreshed in time; runs on the sweeper thread (and in tests). */
    void expire() {
        long now = clock.millis();
        for (var e : states.entrySet()) {
            Key key = e.getKey();
            State s = e.getValue();
            synchronized (s) {
                if (s.dropped) {
                    continue;
                }
                if (s.shown && s.expiresAt <= now) {
                    show(key, s, false, now);
                }
                if (s.wanted == TypingState.START && s.wantedAt + timeoutMs <= now) {
                    s.wanted = null;
                }
                dropIfIdle(key, s);
            }
        }
    }

    /** Shows a deferred state once the budget has refilled; runs on the sweeper thread (and in tests). */
    void showDeferred(Key key) {
        long now = clock.millis();
        TypingState wanted = withState(key, s -> {
            if (s.wanted == null || s.shown == (s.wanted == TypingState.START)
                    || (s.wanted == TypingState.START && s.wantedAt + timeoutMs <= now)) {
                s.wanted = null;
                s.retryScheduled = false;
                return null;
            }
            return s.wanted;
        });
        if (wanted == null) {
            return;
        }
        long wait = meter.tryTake(RateBudgets.Name.TYPING, key.userId + ":" + key.conversationId);
        boolean again = withState(key, s -> {
            if (s.wanted == null) {
                s.retryScheduled = false;
                return false;
            }
            if (wait > 0) {
                return true;
            }
            boolean start = s.wanted == TypingState.START;
            if (s.shown != start) {
                show(key, s, start, s.wantedAt);
            }
            s.wanted = null;
            s.retryScheduled = false;
            return false;
        });
        if (again) {
            retryLater(key, wait);
        }
    }

    /** Number of (conversation, user) pairs with state held (for tests: idle pairs are dropped). */
    int held() {
        return states.size();
    }

    private void retryLater(Key key, long waitMs) {
        try {
            sweeper.schedule(() -> showDeferred(key), waitMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // Shutting down: an indicator that is never shown is harmless.
        }
    }

    /** Changes what members see and tells them; called with the state's monitor held, so order per pair holds. */
    private void show(Key key, State s, boolean start, long since) {
        s.shown = start;
        if (start) {
            s.expiresAt = since + timeoutMs;
        }
        bus.publish(EventBus.conversationTopic(key.conversationId),
                new BusEvent.Typing(key.conversationId, key.userId, start ? TypingState.START : TypingState.STOP));
    }

    /**
     * Runs {@code f} on the pair's state under its monitor, then drops the state if it holds nothing; a
     * state dropped concurrently is never written (the loop takes the fresh one).
     */
    private <T> T withState(Key key, Function<State, T> f) {
        while (true) {
            State s = states.computeIfAbsent(key, k -> new State());
            synchronized (s) {
                if (s.dropped) {
                    continue;
                }
                T result = f.apply(s);
                dropIfIdle(key, s);
                return result;
            }
        }
    }

    /** Forgets a pair that shows nothing and owes nothing; called with its monitor held. */
    private void dropIfIdle(Key key, State s) {
        if (!s.shown && s.wanted == null && !s.retryScheduled) {
            s.dropped = true;
            states.remove(key, s);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    record Key(String conversationId, String userId) {
    }

    /** One pair's state; guarded by its own monitor. */
    private static final class State {
        boolean shown;
        long expiresAt;
        /** A change deferred for want of budget (START or STOP), or null. */
        TypingState wanted;
        long wantedAt;
        boolean retryScheduled;
        boolean dropped;
    }
}
