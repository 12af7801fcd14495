package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageCacheTest {
    private static PageCache<byte[]> cache(long maxWeight) {
        return new PageCache<>(maxWeight, page -> page.length);
    }

    @Test
    void aPageIsFoundOnlyForTheLastSeqItWasReadAt() {
        PageCache<byte[]> c = cache(1 << 20);
        byte[] page = {1, 2, 3};
        assertThat(c.get("c1", 10, 100, 20)).isNull();
        c.put("c1", 10, 100, 20, page);
        assertThat(c.get("c1", 10, 100, 20)).isSameAs(page);
        assertThat(c.get("c1", 10, 100, 21)).as("the log moved on").isNull();
        assertThat(c.get("c1", 10, 50, 20)).as("another limit").isNull();
        assertThat(c.get("c1", 11, 100, 20)).as("another start").isNull();
        assertThat(c.get("c2", 10, 100, 20)).as("another conversation").isNull();
        assertThat(c.hits()).isEqualTo(1);
        assertThat(c.misses()).isEqualTo(5);
    }

    @Test
    void aNewerLastSeqDropsTheOlderPagesAndAnOlderPageIsNotKept() {
        PageCache<byte[]> c = cache(1 << 20);
        c.put("c1", 0, 100, 5, new byte[10]);
        c.put("c1", 5, 100, 5, new byte[10]);
        assertThat(c.size()).isEqualTo(2);
        byte[] newer = new byte[20];
        c.put("c1", 0, 100, 6, newer);
        assertThat(c.size()).isEqualTo(1);
        assertThat(c.weight()).isEqualTo(20 + PageCache.OVERHEAD);
        assertThat(c.get("c1", 5, 100, 5)).isNull();
        c.put("c1", 5, 100, 5, new byte[10]);
        assertThat(c.get("c1", 5, 100, 5)).as("read before the newer one: never asked for again").isNull();
        assertThat(c.get("c1", 0, 100, 6)).isSameAs(newer);
    }

    @Test
    void replacingAPageKeepsTheWeightRight() {
        PageCache<byte[]> c = cache(1 << 20);
        c.put("c1", 0, 100, 5, new byte[10]);
        c.put("c1", 0, 100, 5, new byte[30]);
        assertThat(c.size()).isEqualTo(1);
        assertThat(c.weight()).isEqualTo(30 + PageCache.OVERHEAD);
    }

    @Test
    void staysWithinItsBoundDroppingOtherConversationsFirst() {
        long page = 1000;
        long max = 10 * (page + PageCache.OVERHEAD);
        PageCache<byte[]> c = cache(max);
        for (int i = 0; i < 100; i++) {
            c.put("c" + i, 0, 100, 1, new byte[(int) page]);
            assertThat(c.weight()).isLessThanOrEqualTo(max);
        }
        assertThat(c.get("c99", 0, 100, 1)).as("the page just put is kept").isNotNull();
        assertThat(c.size()).isBetween(1, 10);
        // A page heavier than the whole bound is not kept, and nothing else is dropped for it.
        int before = c.size();
        c.put("big", 0, 100, 1, new byte[(int) max]);
        assertThat(c.get("big", 0, 100, 1)).isNull();
        assertThat(c.size()).isEqualTo(before);
        // One conversation's own pages are bounded too.
        PageCache<byte[]> one = cache(max);
        for (int i = 0; i < 100; i++) {
            one.put("c", i, 100, 1, new byte[(int) page]);
            assertThat(one.weight()).isLessThanOrEqualTo(max);
        }
        assertThat(one.get("c", 99, 100, 1)).isNotNull();
    }

    @Test
    void aZeroBoundKeepsNothing() {
        PageCache<byte[]> c = cache(0);
        c.put("c1", 0, 100, 1, new byte[0]);
        assertThat(c.get("c1", 0, 100, 1)).isNull();
        assertThat(c.weight()).isZero();
    }
}
