package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class Uuid7Test {
    /** 2022-02-22T19:22:22Z, the timestamp of RFC 9562's example (appendix A.6). */
    private static final long RFC_MILLIS = 0x017F22E279B0L;

    @Test
    void layoutMatchesTheRfcExample() {
        // RFC 9562, appendix A.6: unix_ts_ms 0x017F22E279B0, ver 7, rand_a 0xCC3, var 0b10, rand_b 0x18C4DC0C0C07398F
        UUID id = Uuid7.layout(RFC_MILLIS, 0xCC3, 0x18C4DC0C0C07398FL);

        assertThat(id.toString()).isEqualTo("017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(Uuid7.unixMillis(id)).isEqualTo(RFC_MILLIS);
    }

    @Test
    void everyIdHasVersionSevenVariantTenAndTheClockTime() {
        AtomicLong clock = new AtomicLong(RFC_MILLIS);
        Uuid7 ids = new Uuid7(clock::get, new Random(1));
        for (int i = 0; i < 1_000; i++) {
            clock.addAndGet(i % 3 == 0 ? 1 : 0);
            String text = ids.nextString();
            UUID id = UUID.fromString(text);

            assertThat(text).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(Uuid7.unixMillis(id)).isEqualTo(clock.get());
        }
    }

    @Test
    void idsSortInCreationOrderWithinAndAcrossMilliseconds() {
        AtomicLong clock = new AtomicLong(RFC_MILLIS);
        Uuid7 ids = new Uuid7(clock::get, new Random(2));
        List<String> made = new ArrayList<>();
        for (int ms = 0; ms < 50; ms++) {
            for (int i = 0; i < 200; i++) {
                made.add(ids.nextString());
            }
            clock.incrementAndGet();
        }

        assertThat(made).isSorted();
        assertThat(new HashSet<>(made)).hasSize(made.size());
    }

    @Test
    void aClockThatGoesBackKeepsTheLastTimestampAndTheOrder() {
        AtomicLong clock = new AtomicLong(RFC_MILLIS + 10);
        Uuid7 ids = new Uuid7(clock::get, new Random(3));
        String before = ids.nextString();
        clock.set(RFC_MILLIS);
        String after = ids.nextString();

        assertThat(after).isGreaterThan(before);
        assertThat(Uuid7.unixMillis(UUID.fromString(after))).isEqualTo(RFC_MILLIS + 10);
    }

    @Test
    void theCounterCarriesFromRandBIntoRandA() {
        // A source of all-ones bytes seeds the counter at its highest start value, 2^41 - 1 (top bit clear).
        Random ones = new Random() {
            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) 0xFF);
            }
        };
        Uuid7 ids = new Uuid7(() -> RFC_MILLIS, ones);

        assertThat(ids.nextString()).isEqualTo("017f22e2-79b0-77ff-bfff-ffffffffffff");
        assertThat(ids.nextString()).isEqualTo("017f22e2-79b0-7800-8000-0000ffffffff");
    }

    @Test
    void aFullCounterMovesTheTimestampOn() {
        Uuid7 ids = new Uuid7(() -> RFC_MILLIS, new Random(4));
        ids.nextUuid();
        ids.state(RFC_MILLIS, (1L << 42) - 1);
        UUID next = ids.nextUuid();

        assertThat(Uuid7.unixMillis(next)).isEqualTo(RFC_MILLIS + 1);
        assertThat(next.toString()).isGreaterThan(Uuid7.layout(RFC_MILLIS, 0xFFF, -1L).toString());
    }

    @Test
    void theSharedGeneratorIsUniqueAndOrderedAcrossThreads() throws InterruptedException {
        int threads = 4;
        int each = 5_000;
        List<List<String>> made = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<String> mine = new ArrayList<>(each);
            made.add(mine);
            Thread thread = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    mine.add(Uuid7.next());
                }
            });
            running.add(thread);
            thread.start();
        }
        for (Thread thread : running) {
            thread.join(30_000);
        }
        Set<String> all = new HashSet<>();
        for (List<String> mine : made) {
            assertThat(mine).hasSize(each).isSorted();
            all.addAll(mine);
        }
        assertThat(all).hasSize(threads * each);
    }

    @Test
    void unixMillisRefusesOtherVersions() {
        assertThatThrownBy(() -> Uuid7.unixMillis(UUID.fromString("f47ac10b-58cc-4372-a567-0e02b2c3d479")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
