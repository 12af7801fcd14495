package dev.parley.server.media.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RangeTest {
    @Test
    void singleRangesAreParsed() {
        assertThat(MediaContent.parseRange("bytes=0-99", 1000)).containsExactly(0, 99);
        assertThat(MediaContent.parseRange("bytes=900-", 1000)).containsExactly(900, 999);
        assertThat(MediaContent.parseRange("bytes=-100", 1000)).containsExactly(900, 999);
        assertThat(MediaContent.parseRange("bytes=-5000", 1000)).containsExactly(0, 999);
        assertThat(MediaContent.parseRange("bytes=990-5000", 1000)).containsExactly(990, 999);
    }

    @Test
    void unsatisfiableRangesAreNull() {
        assertThat(MediaContent.parseRange("bytes=1000-", 1000)).isNull();
        assertThat(MediaContent.parseRange("bytes=50-10", 1000)).isNull();
        assertThat(MediaContent.parseRange("bytes=-0", 1000)).isNull();
    }

    @Test
    void severalRangesOrNonsenseServeTheWhole() {
        assertThat(MediaContent.parseRange("bytes=0-1,5-6", 1000)).isEmpty();
        assertThat(MediaContent.parseRange("items=0-1", 1000)).isEmpty();
        assertThat(MediaContent.parseRange("bytes=a-b", 1000)).isEmpty();
    }
}
