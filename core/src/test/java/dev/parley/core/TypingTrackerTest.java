package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.event.BusEvent;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.core.port.EventBus;
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
            assertThat(events).containsExactly(new BusEvent.Typing("c1", "u1", "start"));
            clock.advance(40_000);
            typing.expire();
            assertThat(events).hasSize(1); // refreshed at 30 s, so it lives until 90 s
            clock.advance(20_001);
            typing.expire();
            assertThat(events).containsExactly(new BusEvent.Typing("c1", "u1", "start"),
                    new BusEvent.Typing("c1", "u1", "stop"));
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
            assertThat(events).extracting(e -> ((BusEvent.Typing) e).state()).containsExactly("start", "stop");
        }
    }
}
