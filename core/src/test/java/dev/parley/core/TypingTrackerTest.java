package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.event.BusEvent;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.TypingState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TypingTrackerTest {
    private final TestClock clock = new TestClock();
    private final LocalEventBus bus = new LocalEventBus();
    private final List<BusEvent> events = new CopyOnWriteArrayList<>();

    @Test
    void repeatedStartsAreCoalescedAndAnUnrefreshedStartExpiresWithAStop() {
        bus.subscribe(EventBus.conversationTopic("c1"), events::add);
        try (TypingTracker typing = new TypingTracker(bus, clock, 60_000)) {
            typing.start("c1", "u1");
            clock.advance(30_000);
            typing.start("c1", "u1");
            assertThat(events).containsExactly(new BusEvent.Typing("c1", "u1", TypingState.START));
            clock.advance(40_000);
            typing.expire();
            assertThat(events).hasSize(1); // refreshed at 30 s, so it lives until 90 s
            clock.advance(20_001);
            typing.expire();
            assertThat(events).containsExactly(new BusEvent.Typing("c1", "u1", TypingState.START),
                    new BusEvent.Typing("c1", "u1", TypingState.STOP));
        }
    }

    @Test
    void stopWithoutStartPublishesNothing() {
        bus.subscribe(EventBus.conversationTopic("c1"), events::add);
        try (TypingTracker typing = new TypingTracker(bus, clock, 60_000)) {
            typing.stop("c1", "u1");
            assertThat(events).isEmpty();
            typing.start("c1", "u1");
            typing.stop("c1", "u1");
            typing.stop("c1", "u1");
            assertThat(events).extracting(e -> ((BusEvent.Typing) e).state().wire()).containsExactly("start", "stop");
        }
    }

    private TypingTracker budgeted(int burst) {
        RateBudgets budgets = RateBudgets.defaults().with(RateBudgets.Name.TYPING, new RateBudgets.Budget(1, burst));
        return new TypingTracker(bus, clock, 60_000, new InMemoryRateLimiter(clock), budgets);
    }

    private List<String> states() {
        return events.stream().map(e -> ((BusEvent.Typing) e).state().wire()).toList();
    }

    @Test
    void aBurstOfAlternatingFramesFansOutOnlyTheBudgetAndTheLastStateWins() {
        bus.subscribe(EventBus.conversationTopic("c1"), events::add);
        try (TypingTracker typing = budgeted(3)) {
            for (int i = 0; i < 600; i++) {
                typing.set("c1", "u1", i % 2 == 0 ? TypingState.START : TypingState.STOP, TypingTracker.OverBudget.DEFER);
            }
            // start, stop, start on the budget; the rest deferred; the last word (stop) is still owed.
            assertThat(states()).containsExactly("start", "stop", "start");
            clock.advance(1_000);
            typing.showDeferred(new TypingTracker.Key("c1", "u1"));
            assertThat(states()).containsExactly("start", "stop", "start", "stop");
            typing.showDeferred(new TypingTracker.Key("c1", "u1"));
            assertThat(events).hasSize(4);
            assertThat(typing.held()).isZero();
        }
    }

    @Test
    void aDeferredChangeUndoneBeforeTheBudgetRefillsIsNeverShown() {
        bus.subscribe(EventBus.conversationTopic("c1"), events::add);
        try (TypingTracker typing = budgeted(1)) {
            typing.start("c1", "u1");
            typing.stop("c1", "u1");   // over budget: deferred
            typing.start("c1", "u1");  // back to what members see: the deferred stop is forgotten
            clock.advance(5_000);
            typing.showDeferred(new TypingTracker.Key("c1", "u1"));
            assertThat(states()).containsExactly("start");
        }
    }

    @Test
    void aFrameExpectingAnAnswerIsRefusedOverBudgetAndChangesNothing() {
        bus.subscribe(EventBus.conversationTopic("c1"), events::add);
        try (TypingTracker typing = budgeted(1)) {
            typing.set("c1", "u1", TypingState.START, TypingTracker.OverBudget.REFUSE);
            assertThatThrownBy(() -> typing.set("c1", "u1", TypingState.STOP, TypingTracker.OverBudget.REFUSE))
                    .isInstanceOfSatisfying(ChatException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                        assertThat(e.retryAfterMs()).isPositive();
                    });
            clock.advance(5_000);
            typing.showDeferred(new TypingTracker.Key("c1", "u1"));
            assertThat(states()).containsExactly("start");
            typing.set("c1", "u1", TypingState.STOP, TypingTracker.OverBudget.REFUSE);
            assertThat(states()).containsExactly("start", "stop");
        }
    }

    @Test
    void repeatingTheShownStateCostsNoBudgetAndFansOutNothing() {
        bus.subscribe(EventBus.conversationTopic("c1"), events::add);
        try (TypingTracker typing = budgeted(2)) {
            for (int i = 0; i < 600; i++) {
                typing.set("c1", "u1", TypingState.START, TypingTracker.OverBudget.REFUSE);
            }
            typing.set("c1", "u1", TypingState.STOP, TypingTracker.OverBudget.REFUSE);
            typing.set("c1", "u1", TypingState.STOP, TypingTracker.OverBudget.REFUSE);
            assertThat(states()).containsExactly("start", "stop");
            assertThat(typing.held()).isZero();
        }
    }

    @Test
    void aMessageEndsTheIndicatorEvenWithTheBudgetSpent() {
        bus.subscribe(EventBus.conversationTopic("c1"), events::add);
        try (TypingTracker typing = budgeted(1)) {
            typing.start("c1", "u1");
            typing.stopNow("c1", "u1");
            assertThat(states()).containsExactly("start", "stop");
        }
    }
}
