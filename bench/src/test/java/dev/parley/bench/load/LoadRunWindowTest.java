package dev.parley.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which deliveries count in the measured window ({@link LoadRun#outsideWindow}), at its edges. */
class LoadRunWindowTest {
    private static final long START = 10_000_000_000L;
    private static final long END = 30_000_000_000L;

    @Test
    void aTimeCountsFromTheWindowsStartUpToButNotIncludingItsEnd() {
        assertThat(LoadRun.outsideWindow(START, START, END)).isZero();
        assertThat(LoadRun.outsideWindow(START + 1, START, END)).isZero();
        assertThat(LoadRun.outsideWindow(END - 1, START, END)).isZero();

        assertThat(LoadRun.outsideWindow(START - 1, START, END)).isOne();
        assertThat(LoadRun.outsideWindow(0, START, END)).isOne();
        assertThat(LoadRun.outsideWindow(END, START, END)).isOne();
        assertThat(LoadRun.outsideWindow(END + 5_000_000_000L, START, END)).isOne();
    }

    @Test
    void beforeTheWindowIsSetNothingCounts() {
        // LoadRun's start and end are Long.MAX_VALUE until the warm-up is under way.
        assertThat(LoadRun.outsideWindow(0, Long.MAX_VALUE, Long.MAX_VALUE)).isOne();
        assertThat(LoadRun.outsideWindow(START, Long.MAX_VALUE, Long.MAX_VALUE)).isOne();
    }
}
