package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TypingThrottleTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private TypingThrottle throttle(Duration idle) {
        return new TypingThrottle(clock, Duration.ofSeconds(3), idle, timer,
                (conv, start) -> sent.add(conv + ":" + (start ? "start" : "stop")));
    }

    @Test
    void oneStartPerIntervalHoweverFastTheUserTypes() {
        TypingThrottle t = throttle(Duration.ofHours(1));
        for (int i = 0; i < 30; i++) {
            t.keystroke("c1");
            now = now.plusMillis(100); // 30 keystrokes over 3 s
        }
        t.keystroke("c1");
        assertThat(sent).containsExactly("c1:start", "c1:start");
    }

    @Test
    void stopOnSendAndStartAgainRightAway() {
        TypingThrottle t = throttle(Duration.ofHours(1));
        t.keystroke("c1");
        t.stop("c1");
        t.stop("c1"); // a second stop sends nothing
        t.keystroke("c1");
        assertThat(sent).containsExactly("c1:start", "c1:stop", "c1:start");
    }

    @Test
    void conversationsAreThrottledSeparately() {
        TypingThrottle t = throttle(Duration.ofHours(1));
        t.keystroke("c1");
        t.keystroke("c2");
        t.keystroke("c1");
        assertThat(sent).containsExactly("c1:start", "c2:start");
    }

    @Test
    void idleSendsStop() {
        TypingThrottle t = throttle(Duration.ofMillis(50));
        t.keystroke("c1");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> sent.contains("c1:stop"));
        assertThat(sent).containsExactly("c1:start", "c1:stop");
    }
}
